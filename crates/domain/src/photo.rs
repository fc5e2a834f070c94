//! Photos attached to community reports: the type is decided by the file's own magic bytes (JPEG, PNG or WebP
//! only, whatever the name or declared type says), and every metadata segment that can carry a location, a device
//! or a time (EXIF, XMP, IPTC, comments, text chunks) is removed by rewriting the container without it. The image
//! data itself is copied unchanged.

/// Largest photo accepted, in bytes (5 MiB).
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// An accepted image type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// JPEG (JFIF/EXIF).
    Jpeg,
    /// PNG.
    Png,
    /// WebP (RIFF).
    Webp,
}

impl ImageKind {
    /// The MIME type it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Webp => "image/webp",
        }
    }

    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "jpg",
            ImageKind::Png => "png",
            ImageKind::Webp => "webp",
        }
    }

    /// From a stored MIME type.
    pub fn from_content_type(s: &str) -> Option<ImageKind> {
        [ImageKind::Jpeg, ImageKind::Png, ImageKind::Webp].into_iter().find(|k| k.content_type() == s)
    }
}

/// Why a photo was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// Larger than [`MAX_PHOTO_BYTES`].
    #[error("photo larger than 5 MiB")]
    TooLarge,
    /// Not JPEG, PNG or WebP by its content.
    #[error("not a JPEG, PNG or WebP image")]
    NotAnImage,
    /// The container is damaged (a segment runs past the end, no image data).
    #[error("damaged image file")]
    Damaged,
}

const PNG_SIG: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The image type from the magic bytes.
pub fn sniff(b: &[u8]) -> Option<ImageKind> {
    if b.len() >= 3 && b[..3] == [0xFF, 0xD8, 0xFF] {
        Some(ImageKind::Jpeg)
    } else if b.starts_with(PNG_SIG) {
        Some(ImageKind::Png)
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some(ImageKind::Webp)
    } else {
        None
    }
}

/// Checks a photo and returns its type and a copy without metadata.
pub fn clean(b: &[u8]) -> Result<(ImageKind, Vec<u8>), PhotoError> {
    if b.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let kind = sniff(b).ok_or(PhotoError::NotAnImage)?;
    let out = match kind {
        ImageKind::Jpeg => strip_jpeg(b),
        ImageKind::Png => strip_png(b),
        ImageKind::Webp => strip_webp(b),
    }
    .ok_or(PhotoError::Damaged)?;
    Ok((kind, out))
}

/// JPEG: keeps SOI, a JFIF APP0 and every non-APPn, non-COM segment up to the first scan, then the entropy-coded
/// data up to the last EOI. APP1–APP15 (EXIF, XMP, ICC, IPTC, maker notes) and COM are dropped.
fn strip_jpeg(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0xFF, 0xD8];
    let mut i = 2;
    loop {
        // Skip fill bytes.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if *b.get(i)? != 0xFF {
            return None;
        }
        let marker = *b.get(i + 1)?;
        if marker == 0xD9 {
            out.extend_from_slice(&[0xFF, 0xD9]);
            return Some(out);
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&b[i..i + 2]);
            i += 2;
            continue;
        }
        let len = u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]) as usize;
        if len < 2 || i + 2 + len > b.len() {
            return None;
        }
        let seg = &b[i..i + 2 + len];
        let is_jfif = marker == 0xE0 && seg.get(4..9) == Some(b"JFIF\0");
        let drop = ((0xE0..=0xEF).contains(&marker) && !is_jfif) || marker == 0xFE;
        if !drop {
            out.extend_from_slice(seg);
        }
        i += 2 + len;
        if marker == 0xDA {
            // Start of scan: the rest is image data (and, for progressive files, more tables and scans). Copy it
            // up to the last end-of-image marker; anything appended after it is dropped.
            let rest = &b[i..];
            let end = rest.windows(2).rposition(|w| w == [0xFF, 0xD9])?;
            out.extend_from_slice(&rest[..end + 2]);
            return Some(out);
        }
    }
}

/// PNG chunks kept: what is needed to draw the image (and animate it), nothing that carries text or time.
const PNG_KEEP: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"bKGD", b"pHYs",
    b"acTL", b"fcTL", b"fdAT",
];

/// PNG: keeps the signature and the chunks in [`PNG_KEEP`] (so `eXIf`, `tEXt`, `zTXt`, `iTXt`, `tIME` and
/// anything unknown go), up to and including IEND.
fn strip_png(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = PNG_SIG.to_vec();
    let mut i = PNG_SIG.len();
    let mut saw_data = false;
    loop {
        let len = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize;
        let end = i.checked_add(12)?.checked_add(len)?;
        if end > b.len() {
            return None;
        }
        let kind: &[u8; 4] = b[i + 4..i + 8].try_into().ok()?;
        if PNG_KEEP.contains(&kind) {
            out.extend_from_slice(&b[i..end]);
        }
        saw_data |= kind == b"IDAT";
        i = end;
        if kind == b"IEND" {
            return saw_data.then_some(out);
        }
    }
}

/// WebP: drops the `EXIF` and `XMP ` chunks, clears their flags in `VP8X`, and rewrites the RIFF size.
fn strip_webp(b: &[u8]) -> Option<Vec<u8>> {
    let declared = u32::from_le_bytes(b.get(4..8)?.try_into().ok()?) as usize;
    let end = declared.checked_add(8)?.min(b.len());
    let mut body = b"WEBP".to_vec();
    let mut i = 12;
    let mut saw_image = false;
    while i + 8 <= end {
        let kind: &[u8; 4] = b[i..i + 4].try_into().ok()?;
        let len = u32::from_le_bytes(b[i + 4..i + 8].try_into().ok()?) as usize;
        let padded = len + (len & 1);
        let next = i.checked_add(8)?.checked_add(padded)?;
        if i + 8 + len > end {
            return None;
        }
        match kind {
            b"EXIF" | b"XMP " => {}
            b"VP8X" => {
                let mut chunk = b[i..(i + 8 + len)].to_vec();
                if let Some(flags) = chunk.get_mut(8) {
                    *flags &= !0x0C;
                }
                if len & 1 == 1 {
                    chunk.push(0);
                }
                body.extend_from_slice(&chunk);
            }
            _ => {
                saw_image |= matches!(kind, b"VP8 " | b"VP8L" | b"ANMF");
                body.extend_from_slice(&b[i..(i + 8 + len)]);
                if len & 1 == 1 {
                    body.push(0);
                }
            }
        }
        i = next;
    }
    if !saw_image {
        return None;
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len()).ok()?.to_le_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A tiny JPEG-shaped file: SOI, APP0 JFIF, APP1 EXIF with a GPS tag, COM, DQT, SOS, data, EOI, trailer.
    fn jpeg() -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        v.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
        v.extend_from_slice(b"JFIF\0\x01\x02\0\0\x01\0\x01\0\0");
        let exif = b"Exif\0\0GPSLatitude 41.9";
        v.extend_from_slice(&[0xFF, 0xE1, 0x00, (exif.len() + 2) as u8]);
        v.extend_from_slice(exif);
        v.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x07]);
        v.extend_from_slice(b"hello");
        v.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01]);
        v.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 0x01, 0x00]);
        v.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56]);
        v.extend_from_slice(&[0xFF, 0xD9]);
        v.extend_from_slice(b"<html>appended</html>");
        v
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    }

    fn png() -> Vec<u8> {
        let mut v = PNG_SIG.to_vec();
        v.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
        v.extend(chunk(b"tEXt", b"Comment\0taken at 12 Elm St"));
        v.extend(chunk(b"eXIf", b"MM\0*GPS"));
        v.extend(chunk(b"IDAT", &[1, 2, 3]));
        v.extend(chunk(b"tIME", &[7, 234, 1, 1, 0, 0, 0]));
        v.extend(chunk(b"IEND", &[]));
        v
    }

    fn riff(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = kind.to_vec();
        c.extend_from_slice(&(data.len() as u32).to_le_bytes());
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    fn webp() -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        body.extend(riff(b"VP8X", &[0x0C | 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        body.extend(riff(b"VP8 ", &[1, 2, 3, 4, 5]));
        body.extend(riff(b"EXIF", b"MM\0*GPS"));
        body.extend(riff(b"XMP ", b"<x:xmpmeta/>"));
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&(body.len() as u32).to_le_bytes());
        v.extend(body);
        v
    }

    fn has(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn jpeg_loses_exif_comments_and_trailers_but_keeps_tables_and_data() {
        let (kind, out) = clean(&jpeg()).unwrap();
        assert_eq!(kind, ImageKind::Jpeg);
        assert!(!has(&out, b"Exif") && !has(&out, b"GPS") && !has(&out, b"hello") && !has(&out, b"<html>"));
        assert!(has(&out, b"JFIF"));
        assert!(has(&out, &[0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01]));
        assert!(out.ends_with(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]));
    }

    #[test]
    fn png_keeps_only_drawing_chunks() {
        let (kind, out) = clean(&png()).unwrap();
        assert_eq!(kind, ImageKind::Png);
        assert!(!has(&out, b"tEXt") && !has(&out, b"eXIf") && !has(&out, b"Elm St") && !has(&out, b"tIME"));
        assert!(has(&out, b"IHDR") && has(&out, b"IDAT") && out.ends_with(&chunk(b"IEND", &[])));
    }

    #[test]
    fn webp_loses_exif_and_xmp_and_their_flags() {
        let (kind, out) = clean(&webp()).unwrap();
        assert_eq!(kind, ImageKind::Webp);
        assert!(!has(&out, b"EXIF") && !has(&out, b"XMP ") && !has(&out, b"GPS"));
        assert_eq!(out[20] & 0x0C, 0, "EXIF and XMP flags cleared");
        assert_eq!(out[20] & 0x10, 0x10, "other flags kept");
        assert_eq!(u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize, out.len() - 8);
    }

    #[test]
    fn other_content_is_refused_whatever_it_claims() {
        assert_eq!(clean(b"<html><script>alert(1)</script>"), Err(PhotoError::NotAnImage));
        assert_eq!(clean(b"GIF89a...."), Err(PhotoError::NotAnImage));
        assert_eq!(clean(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), Err(PhotoError::NotAnImage));
        assert_eq!(clean(&[0xFF, 0xD8, 0xFF, 0xE1, 0x10, 0x00]), Err(PhotoError::Damaged));
        assert_eq!(clean(&vec![0u8; MAX_PHOTO_BYTES + 1]), Err(PhotoError::TooLarge));
        assert_eq!(ImageKind::from_content_type("image/png"), Some(ImageKind::Png));
        assert_eq!(ImageKind::from_content_type("text/html"), None);
    }

    proptest! {
        #[test]
        fn never_panics_and_never_grows(mut tail in proptest::collection::vec(any::<u8>(), 0..300), which in 0usize..3) {
            let mut b = match which { 0 => vec![0xFF, 0xD8, 0xFF], 1 => PNG_SIG.to_vec(), _ => b"RIFF\0\0\0\0WEBP".to_vec() };
            b.append(&mut tail);
            if let Ok((_, out)) = clean(&b) {
                prop_assert!(out.len() <= b.len() + 2);
            }
        }
    }
}
