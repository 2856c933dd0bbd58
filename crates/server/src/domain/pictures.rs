//! Pictures people upload: recognised from their bytes, decoded within
//! bounds (a small file must not unpack into gigabytes), and made into the
//! thumbnails and avatars we serve.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use protocol::limits::{AVATAR_SIDE, THUMBNAIL_SIDE};

/// The largest picture we decode, per side and in memory.
const MAX_SIDE: u32 = 12_000;
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;
const JPEG_QUALITY: u8 = 82;

/// A decoded picture: its type, size, and a preview at most
/// [`THUMBNAIL_SIDE`] pixels on its longer side.
pub struct Picture {
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum NotAPicture {
    #[error("not a PNG, JPEG, GIF or WebP picture")]
    Format,
    #[error("the picture cannot be read: {0}")]
    Unreadable(String),
}

/// Reads a PNG, JPEG, GIF or WebP picture and makes its thumbnail.
pub fn read(bytes: &[u8]) -> Result<Picture, NotAPicture> {
    let (format, image) = decode(bytes)?;
    let thumbnail = encode(&image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE))?;
    Ok(Picture {
        content_type: format.to_mime_type(),
        width: image.width(),
        height: image.height(),
        thumbnail,
    })
}

/// An avatar from an uploaded picture: the middle square, scaled to
/// [`AVATAR_SIDE`] pixels.
pub fn avatar(bytes: &[u8]) -> Result<Vec<u8>, NotAPicture> {
    let (_, image) = decode(bytes)?;
    encode(&image.resize_to_fill(AVATAR_SIDE, AVATAR_SIDE, FilterType::Lanczos3))
}

/// The media type of an image we made ([`encode`]'s output).
pub fn made_type(bytes: &[u8]) -> &'static str {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => "image/png",
        _ => "image/jpeg",
    }
}

fn decode(bytes: &[u8]) -> Result<(ImageFormat, DynamicImage), NotAPicture> {
    let format = image::guess_format(bytes).map_err(|_| NotAPicture::Format)?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP
    ) {
        return Err(NotAPicture::Format);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| NotAPicture::Unreadable(e.to_string()))?;
    Ok((format, image))
}

/// PNG where there is transparency to keep, JPEG (much smaller) otherwise.
fn encode(image: &DynamicImage) -> Result<Vec<u8>, NotAPicture> {
    let mut out = Vec::new();
    let written = if image.color().has_alpha() {
        image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
    } else {
        let encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
        image.to_rgb8().write_with_encoder(encoder)
    };
    written.map_err(|e| NotAPicture::Unreadable(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, _| Rgb([(x % 256) as u8, 40, 90]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(image)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("encode");
        out
    }

    #[test]
    fn a_picture_gets_its_size_and_a_bounded_thumbnail() {
        let picture = read(&png(1000, 500)).expect("a picture");
        assert_eq!(picture.content_type, "image/png");
        assert_eq!((picture.width, picture.height), (1000, 500));
        let thumb = image::load_from_memory(&picture.thumbnail).expect("thumbnail decodes");
        assert_eq!(
            (thumb.width(), thumb.height()),
            (THUMBNAIL_SIDE, THUMBNAIL_SIDE / 2)
        );
        assert_eq!(made_type(&picture.thumbnail), "image/jpeg");
    }

    #[test]
    fn transparency_survives_in_a_png_thumbnail() {
        let image = RgbaImage::from_pixel(10, 10, Rgba([0, 0, 0, 0]));
        let mut bytes = Vec::new();
        DynamicImage::ImageRgba8(image)
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .expect("encode");
        let picture = read(&bytes).expect("a picture");
        assert_eq!(made_type(&picture.thumbnail), "image/png");
    }

    #[test]
    fn avatars_are_squares() {
        let avatar = avatar(&png(900, 300)).expect("an avatar");
        let decoded = image::load_from_memory(&avatar).expect("decodes");
        assert_eq!(
            (decoded.width(), decoded.height()),
            (AVATAR_SIDE, AVATAR_SIDE)
        );
    }

    #[test]
    fn what_is_not_a_whole_picture_is_refused() {
        assert!(matches!(read(b"hello"), Err(NotAPicture::Format)));
        let whole = png(64, 64);
        let cut = &whole[..whole.len() / 2];
        assert!(matches!(read(cut), Err(NotAPicture::Unreadable(_))));
        // SVG is text that can carry scripts: never a picture we show.
        assert!(read(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>").is_err());
    }
}
