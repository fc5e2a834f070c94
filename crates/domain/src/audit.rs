//! The audit log's hash chain.
//!
//! Every entry stores the hash of the entry before it (per jurisdiction) and its own hash, computed over a
//! canonical, length-prefixed encoding of its fields. Changing, inserting or deleting any entry in the middle of a
//! chain breaks it at that entry, which [`verify_chain`] reports.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored, without its own hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Database id (increasing in append order).
    pub id: i64,
    /// Jurisdiction the entry belongs to.
    pub jurisdiction_id: i64,
    /// UTC time, unix seconds.
    pub at: i64,
    /// The acting user's id, if signed in.
    pub actor_id: Option<i64>,
    /// Human-readable actor (e-mail, `system`, `anonymous`, `cli`).
    pub actor: String,
    /// What was done, e.g. `login`, `user.create`, `incident.read`.
    pub action: String,
    /// What it was done to, e.g. `user:42`.
    pub object: String,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// Source address of the request, or `cli`.
    pub source: String,
    /// Extra detail (JSON text), never secrets.
    pub details: String,
    /// Hash of the previous entry in this jurisdiction's chain.
    pub prev_hash: String,
}

impl AuditRecord {
    /// The SHA-256 (hex) over the canonical encoding of every field and the previous hash.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(&self.id.to_be_bytes());
        field(&self.jurisdiction_id.to_be_bytes());
        field(&self.at.to_be_bytes());
        match self.actor_id {
            Some(a) => field(&a.to_be_bytes()),
            None => field(b""),
        }
        field(self.actor.as_bytes());
        field(self.action.as_bytes());
        field(self.object.as_bytes());
        field(self.outcome.as_bytes());
        field(self.source.as_bytes());
        field(self.details.as_bytes());
        field(self.prev_hash.as_bytes());
        hex::encode(h.finalize())
    }
}

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// Id of the first entry that does not verify.
    pub id: i64,
    /// What is wrong with it.
    pub reason: String,
}

/// Verifies a chain given in append order as `(record, stored_hash)` pairs.
///
/// `anchor` is the hash the first entry must point to: [`GENESIS_HASH`] for a complete chain, or the stored
/// `prev_hash` of the oldest retained entry after retention has purged older ones.
pub fn verify_chain<'a, I>(entries: I, anchor: &str) -> Result<usize, ChainBreak>
where
    I: IntoIterator<Item = (&'a AuditRecord, &'a str)>,
{
    let mut expected_prev = anchor.to_string();
    let mut count = 0;
    for (rec, stored) in entries {
        if rec.prev_hash != expected_prev {
            return Err(ChainBreak {
                id: rec.id,
                reason: "previous-hash link does not match the entry before it (entry inserted or removed)".into(),
            });
        }
        let computed = rec.compute_hash();
        if computed != stored {
            return Err(ChainBreak { id: rec.id, reason: "content does not match its hash (entry altered)".into() });
        }
        expected_prev = computed;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<(AuditRecord, String)> {
        let mut out = Vec::new();
        let mut prev = GENESIS_HASH.to_string();
        for i in 1..=n {
            let rec = AuditRecord {
                id: i,
                jurisdiction_id: 1,
                at: 1_700_000_000 + i,
                actor_id: if i % 2 == 0 { Some(i) } else { None },
                actor: format!("user{i}@example.org"),
                action: "login".into(),
                object: format!("user:{i}"),
                outcome: "success".into(),
                source: "127.0.0.1".into(),
                details: "{}".into(),
                prev_hash: prev.clone(),
            };
            let h = rec.compute_hash();
            prev = h.clone();
            out.push((rec, h));
        }
        out
    }

    fn verify(c: &[(AuditRecord, String)]) -> Result<usize, ChainBreak> {
        verify_chain(c.iter().map(|(r, h)| (r, h.as_str())), GENESIS_HASH)
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(10)), Ok(10));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn altered_entry_is_named() {
        let mut c = chain(10);
        c[4].0.outcome = "failure".into();
        assert_eq!(verify(&c).unwrap_err().id, 5);
    }

    #[test]
    fn removed_entry_is_detected_at_its_successor() {
        let mut c = chain(10);
        c.remove(6);
        assert_eq!(verify(&c).unwrap_err().id, 8);
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let c = chain(1);
        let mut a = c[0].0.clone();
        let mut b = a.clone();
        a.actor = "ab".into();
        a.action = "c".into();
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(a.compute_hash(), b.compute_hash());
    }

    #[test]
    fn purged_prefix_verifies_from_its_anchor() {
        let c = chain(10);
        let tail = &c[3..];
        let anchor = tail[0].0.prev_hash.clone();
        assert_eq!(verify_chain(tail.iter().map(|(r, h)| (r, h.as_str())), &anchor), Ok(7));
    }
}
