//! A grid of square cells over projected coordinates (metres), as defined in METHODS.md ("Grids and
//! hotspots").
//!
//! Cells are indexed by (`row`, `col`). **Row 0 is the southernmost row** (smallest y) and column 0 the
//! westernmost (smallest x); the cell (row, col) spans x ∈ [origin_x + col·cell_m, origin_x + (col+1)·cell_m)
//! and y ∈ [origin_y + row·cell_m, origin_y + (row+1)·cell_m). Cells are half-open, except that points exactly
//! on the grid's east or north edge belong to the last column or row, so a grid built by [`Grid::covering`]
//! holds every point it was built from. Per-cell values are stored row-major: index = row·cols + col.

/// A rectangle of `rows` × `cols` square cells of side `cell_m` metres whose south-west corner is
/// (`origin_x`, `origin_y`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// x of the west edge (metres).
    pub origin_x: f64,
    /// y of the south edge (metres).
    pub origin_y: f64,
    /// Side of a cell (metres, positive).
    pub cell_m: f64,
    /// Number of rows (south to north), at least 1.
    pub rows: usize,
    /// Number of columns (west to east), at least 1.
    pub cols: usize,
}

/// The finite points among the pairs (`xs[i]`, `ys[i]`), up to the shorter slice.
fn finite_points<'a>(xs: &'a [f64], ys: &'a [f64]) -> impl Iterator<Item = (f64, f64)> + 'a {
    xs.iter().zip(ys).map(|(&x, &y)| (x, y)).filter(|(x, y)| x.is_finite() && y.is_finite())
}

impl Grid {
    /// The grid of cells of side `cell_m` whose south-west corner is the south-west corner of the bounding box
    /// of the points with finite coordinates, with just enough rows and columns to cover the box (at least one
    /// of each). `None` when there is no such point or `cell_m` is not a positive finite number.
    ///
    /// The number of cells grows with the square of extent/cell_m: check [`Grid::n_cells`] before allocating
    /// per-cell data for untrusted input (40 km at 100 m is 160,000 cells).
    pub fn covering(xs: &[f64], ys: &[f64], cell_m: f64) -> Option<Grid> {
        let mut bbox: Option<[f64; 4]> = None;
        for (x, y) in finite_points(xs, ys) {
            let b = bbox.get_or_insert([x, y, x, y]);
            *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
        let [min_x, min_y, max_x, max_y] = bbox?;
        Grid::over_bbox(min_x, min_y, max_x, max_y, cell_m)
    }

    /// The grid of cells of side `cell_m` starting at (`min_x`, `min_y`) and covering the box up to
    /// (`max_x`, `max_y`), with at least one row and one column. `None` when a bound is not finite,
    /// `min > max`, or `cell_m` is not a positive finite number.
    pub fn over_bbox(min_x: f64, min_y: f64, max_x: f64, max_y: f64, cell_m: f64) -> Option<Grid> {
        let finite = [min_x, min_y, max_x, max_y, cell_m].iter().all(|v| v.is_finite());
        if !finite || cell_m <= 0.0 || min_x > max_x || min_y > max_y {
            return None;
        }
        // The same expression as in `cell_of`, so the box's max corner lands in the last cell.
        let span = |min: f64, max: f64| (((max - min) / cell_m).ceil() as usize).max(1);
        Some(Grid { origin_x: min_x, origin_y: min_y, cell_m, rows: span(min_y, max_y), cols: span(min_x, max_x) })
    }

    /// Number of cells, rows × cols.
    pub fn n_cells(&self) -> usize {
        self.rows * self.cols
    }

    /// Row-major index of cell (`row`, `col`): row·cols + col.
    pub fn index(&self, row: usize, col: usize) -> usize {
        row * self.cols + col
    }

    /// The (row, col) of a row-major index.
    pub fn row_col(&self, index: usize) -> (usize, usize) {
        (index / self.cols, index % self.cols)
    }

    /// The cell holding (`x`, `y`) (row 0 = south), or `None` when the point is outside the grid or not finite.
    /// Points on the east or north edge of the grid go into the last column or row.
    pub fn cell_of(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let col = Self::axis(x, self.origin_x, self.cell_m, self.cols)?;
        let row = Self::axis(y, self.origin_y, self.cell_m, self.rows)?;
        Some((row, col))
    }

    /// Position along one axis: floor((v − origin)/cell), with v on the far edge counted in the last cell.
    fn axis(v: f64, origin: f64, cell_m: f64, n: usize) -> Option<usize> {
        let f = (v - origin) / cell_m;
        if f.is_nan() || f < 0.0 || f > n as f64 {
            return None;
        }
        Some((f.floor() as usize).min(n - 1))
    }

    /// Centre (x, y) of cell (`row`, `col`) in metres.
    pub fn cell_centre(&self, row: usize, col: usize) -> (f64, f64) {
        (self.origin_x + (col as f64 + 0.5) * self.cell_m, self.origin_y + (row as f64 + 0.5) * self.cell_m)
    }

    /// Bounds (min_x, min_y, max_x, max_y) of cell (`row`, `col`) in metres.
    pub fn cell_bounds(&self, row: usize, col: usize) -> (f64, f64, f64, f64) {
        let (x0, y0) = (self.origin_x + col as f64 * self.cell_m, self.origin_y + row as f64 * self.cell_m);
        (x0, y0, x0 + self.cell_m, y0 + self.cell_m)
    }

    /// Bounds (min_x, min_y, max_x, max_y) of the whole grid in metres.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        let (max_x, max_y) =
            (self.origin_x + self.cols as f64 * self.cell_m, self.origin_y + self.rows as f64 * self.cell_m);
        (self.origin_x, self.origin_y, max_x, max_y)
    }

    /// Number of points in each cell, row-major (length rows × cols). Points outside the grid or with a
    /// non-finite coordinate are ignored; pairs are taken up to the shorter slice. For a grid from
    /// [`Grid::covering`] on the same points, the counts sum to the number of finite points.
    pub fn counts(&self, xs: &[f64], ys: &[f64]) -> Vec<u32> {
        let mut counts = vec![0u32; self.n_cells()];
        for (x, y) in finite_points(xs, ys) {
            if let Some((row, col)) = self.cell_of(x, y) {
                counts[row * self.cols + col] += 1;
            }
        }
        counts
    }
}

/// Which cells of a grid touch: by an edge only (rook) or by an edge or a corner (queen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contiguity {
    /// The up to 4 cells sharing an edge.
    Rook,
    /// The up to 8 cells sharing an edge or a corner.
    Queen,
}

/// Neighbour lists of a `rows` × `cols` grid (row-major indices, as `libpysal.weights.lat2W`), each sorted and
/// **excluding the cell itself**. For Gi*'s 3×3 blocks, use queen contiguity and add the cell.
pub fn grid_neighbours(rows: usize, cols: usize, contiguity: Contiguity) -> Vec<Vec<usize>> {
    let mut lists = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            let mut list = Vec::with_capacity(8);
            for rr in r.saturating_sub(1)..=(r + 1).min(rows - 1) {
                for cc in c.saturating_sub(1)..=(c + 1).min(cols - 1) {
                    let diagonal = rr != r && cc != c;
                    if (rr, cc) != (r, c) && (contiguity == Contiguity::Queen || !diagonal) {
                        list.push(rr * cols + cc);
                    }
                }
            }
            lists.push(list);
        }
    }
    lists
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn covering_rows_start_in_the_south() {
        let xs = [0.0, 250.0, 99.9, 100.0, f64::NAN];
        let ys = [0.0, 150.0, 0.0, 149.0, 3.0];
        let g = Grid::covering(&xs, &ys, 100.0).unwrap();
        assert_eq!((g.origin_x, g.origin_y, g.rows, g.cols), (0.0, 0.0, 2, 3));
        assert_eq!(g.cell_of(0.0, 0.0), Some((0, 0)));
        assert_eq!(g.cell_of(99.9, 0.0), Some((0, 0)));
        assert_eq!(g.cell_of(100.0, 149.0), Some((1, 1)));
        assert_eq!(g.cell_of(250.0, 150.0), Some((1, 2)));
        // The far edges belong to the last cells; beyond them nothing.
        assert_eq!(g.cell_of(300.0, 200.0), Some((1, 2)));
        assert_eq!(g.cell_of(300.1, 0.0), None);
        assert_eq!(g.cell_of(-0.1, 0.0), None);
        assert_eq!(g.cell_of(f64::NAN, 0.0), None);
        assert_eq!(g.counts(&xs, &ys), vec![2, 0, 0, 0, 1, 1]);
        assert_eq!(g.cell_centre(1, 2), (250.0, 150.0));
        assert_eq!(g.cell_bounds(1, 2), (200.0, 100.0, 300.0, 200.0));
        assert_eq!(g.bounds(), (0.0, 0.0, 300.0, 200.0));
        assert_eq!(g.index(1, 2), 5);
        assert_eq!(g.row_col(5), (1, 2));
    }

    #[test]
    fn exact_multiples_and_degenerate_boxes() {
        // The box is exactly 2 × 1 cells: the max corner goes into the last cell, no extra row or column.
        let g = Grid::covering(&[10.0, 210.0], &[5.0, 105.0], 100.0).unwrap();
        assert_eq!((g.rows, g.cols), (1, 2));
        assert_eq!(g.counts(&[10.0, 210.0], &[5.0, 105.0]), vec![1, 1]);
        // A single point still gets one cell.
        let g = Grid::covering(&[7.0], &[7.0], 50.0).unwrap();
        assert_eq!((g.rows, g.cols, g.n_cells()), (1, 1, 1));
        assert_eq!(g.counts(&[7.0], &[7.0]), vec![1]);
        assert!(Grid::covering(&[], &[], 100.0).is_none());
        assert!(Grid::covering(&[f64::INFINITY], &[0.0], 100.0).is_none());
        assert!(Grid::covering(&[1.0], &[1.0], 0.0).is_none());
        assert!(Grid::covering(&[1.0], &[1.0], f64::NAN).is_none());
        assert!(Grid::over_bbox(1.0, 0.0, 0.0, 1.0, 1.0).is_none());
        assert_eq!(Grid::over_bbox(0.0, 0.0, 10.0, 5.0, 1.0).map(|g| (g.rows, g.cols)), Some((5, 10)));
    }

    #[test]
    fn rook_and_queen_lists() {
        assert_eq!(
            grid_neighbours(2, 3, Contiguity::Queen),
            vec![vec![1, 3, 4], vec![0, 2, 3, 4, 5], vec![1, 4, 5], vec![0, 1, 4], vec![0, 1, 2, 3, 5], vec![1, 2, 4]]
        );
        assert_eq!(
            grid_neighbours(2, 3, Contiguity::Rook),
            vec![vec![1, 3], vec![0, 2, 4], vec![1, 5], vec![0, 4], vec![1, 3, 5], vec![2, 4]]
        );
        assert_eq!(grid_neighbours(1, 1, Contiguity::Queen), vec![Vec::<usize>::new()]);
        assert!(grid_neighbours(0, 0, Contiguity::Queen).is_empty());
    }

    proptest! {
        #[test]
        fn counts_are_conserved(
            pts in prop::collection::vec((-5.0e3f64..5.0e3, -5.0e3f64..5.0e3), 1..300),
            cell in 10.0f64..3000.0,
        ) {
            let (xs, ys): (Vec<f64>, Vec<f64>) = pts.iter().copied().unzip();
            let g = Grid::covering(&xs, &ys, cell).unwrap();
            let counts = g.counts(&xs, &ys);
            prop_assert_eq!(counts.len(), g.rows * g.cols);
            prop_assert_eq!(counts.iter().map(|&c| c as usize).sum::<usize>(), pts.len());
            for (&x, &y) in xs.iter().zip(&ys) {
                let (row, col) = g.cell_of(x, y).unwrap();
                let (x0, y0, x1, y1) = g.cell_bounds(row, col);
                // Inside its cell up to rounding of the cell arithmetic.
                let tol = 1e-9 * (1.0 + x.abs().max(y.abs()));
                prop_assert!(x >= x0 - tol && x <= x1 + tol && y >= y0 - tol && y <= y1 + tol);
            }
        }
    }
}
