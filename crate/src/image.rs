//! Turning generated images into pixels for a canvas or a PNG.

use crate::gan::IMAGE_SIDE;

/// Tile `count` square grey images (values in `[-1, 1]`, row-major, each `IMAGE_SIDE`²) into a
/// `columns`-wide grid with a one-pixel gap. Returns `(width, height, grey bytes)`.
pub fn grid(values: &[f32], count: usize, columns: usize) -> (usize, usize, Vec<u8>) {
    let side = IMAGE_SIDE;
    let rows = count.div_ceil(columns);
    let (width, height) = (columns * (side + 1) + 1, rows * (side + 1) + 1);
    let mut pixels = vec![0u8; width * height];
    for (index, image) in values.chunks_exact(side * side).take(count).enumerate() {
        let (x0, y0) = (
            (index % columns) * (side + 1) + 1,
            (index / columns) * (side + 1) + 1,
        );
        for (i, &v) in image.iter().enumerate() {
            let grey = ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8;
            pixels[(y0 + i / side) * width + x0 + i % side] = grey;
        }
    }
    (width, height, pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_places_each_image_in_its_cell() {
        let side = IMAGE_SIDE;
        let mut values = vec![-1.0; 3 * side * side];
        values[side * side] = 1.0; // first pixel of image 1
        values[3 * side * side - 1] = 0.0; // last pixel of image 2
        let (w, h, px) = grid(&values, 3, 2);
        assert_eq!((w, h), (2 * 29 + 1, 2 * 29 + 1));
        assert_eq!(px[w + 1 + 29], 255, "image 1 sits in the second column");
        assert_eq!(
            px[(29 + 28) * w + 1 + 27],
            128,
            "image 2 sits in the second row"
        );
        assert_eq!(px.iter().filter(|&&p| p > 0).count(), 2);
    }
}
