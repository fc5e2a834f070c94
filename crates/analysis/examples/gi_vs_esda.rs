//! The Rust half of the Gi* comparison with `esda.G_Local` (scripts/bench/gi_esda.py is the other half).
//!
//! Reads the `Latitude`/`Longitude` columns of a CSV (e.g. the output of `gen_chicago`), projects the points
//! with the crime cache's projection (centred on Chicago's Loop), bins them on a grid of `CELL_M`-metre cells
//! covering them, and times `gi_star_grid` over that grid. Writes the cell counts (u32, little-endian,
//! row-major) and the z scores (f64, little-endian) so the Python side runs on the very same grid and can check
//! the values, and prints one JSON line of timings.
//!
//! ```sh
//! cargo run --release -p commonbeat-analysis --example gi_vs_esda -- FILE.csv CELL_M COUNTS.u32 Z.f64 [REPEATS]
//! ```

use commonbeat_analysis::grid::Grid;
use commonbeat_analysis::hotspot::gi_star_grid;
use commonbeat_analysis::projection::LocalProjection;
use std::io::Write;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: gi_vs_esda FILE.csv CELL_M COUNTS.u32 Z.f64 [REPEATS]");
        std::process::exit(2);
    }
    let cell_m: f64 = args[2].parse().expect("CELL_M is a number");
    let repeats: usize = args.get(5).map_or(7, |r| r.parse().expect("REPEATS is a number"));

    let t = Instant::now();
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_path(&args[1]).expect("readable CSV");
    let headers = csv.byte_headers().expect("header row").clone();
    let col = |name: &str| headers.iter().position(|h| h == name.as_bytes()).expect("column present");
    let (lat_i, lon_i) = (col("Latitude"), col("Longitude"));
    let projection = LocalProjection::new(-87.63, 41.88);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let mut rows_read = 0u64;
    let mut record = csv::ByteRecord::new();
    while csv.read_byte_record(&mut record).expect("CSV") {
        rows_read += 1;
        let num = |i: usize| std::str::from_utf8(record.get(i).unwrap_or_default()).ok()?.parse::<f64>().ok();
        if let (Some(lat), Some(lon)) = (num(lat_i), num(lon_i))
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
        {
            // The cache keeps f32 metres; bin exactly what the server bins.
            let (x, y) = projection.forward(lon, lat);
            xs.push(f64::from(x as f32));
            ys.push(f64::from(y as f32));
        }
    }
    let read_ms = t.elapsed().as_secs_f64() * 1e3;

    let t = Instant::now();
    let grid = Grid::covering(&xs, &ys, cell_m).expect("points");
    let counts = grid.counts(&xs, &ys);
    let bin_ms = t.elapsed().as_secs_f64() * 1e3;

    let mut gi_ms = Vec::with_capacity(repeats);
    let mut gi = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        gi = gi_star_grid(&counts, grid.rows, grid.cols);
        gi_ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(&gi);
    }
    gi_ms.sort_by(f64::total_cmp);

    let mut f = std::io::BufWriter::new(std::fs::File::create(&args[3]).expect("counts file"));
    for c in &counts {
        f.write_all(&c.to_le_bytes()).expect("write");
    }
    f.flush().expect("write");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&args[4]).expect("z file"));
    for g in &gi {
        f.write_all(&g.z.to_le_bytes()).expect("write");
    }
    f.flush().expect("write");

    let hot = gi.iter().filter(|g| g.class == 3).count();
    println!(
        "{{\"rows_read\":{rows_read},\"points\":{},\"grid_rows\":{},\"grid_cols\":{},\"cells\":{},\"read_ms\":{read_ms:.1},\
         \"bin_ms\":{bin_ms:.2},\"gi_ms_median\":{:.3},\"gi_ms_min\":{:.3},\"repeats\":{repeats},\"hot99\":{hot}}}",
        xs.len(),
        grid.rows,
        grid.cols,
        grid.n_cells(),
        gi_ms[gi_ms.len() / 2],
        gi_ms[0],
    );
}
