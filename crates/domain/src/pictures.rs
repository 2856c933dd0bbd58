//! Pictures people upload: recognised from their bytes, decoded within
//! bounds (a small file must not unpack into gigabytes), and made into the
//! thumbnails and avatars we serve.
//!
//! Two bounds keep decoding's memory in hand. Each picture has a budget
//! ([`MAX_PIXELS`], [`MAX_SIDE`], read from its header before anything is
//! decoded, and `MAX_DECODED_BYTES` for what the decoder allocates):
//! what a chat picture needs, a 12-megapixel phone photo with room to
//! spare. And each node decodes only so many at once ([`Decoders`]), a few
//! more waiting, the rest told to come back (503): eight pictures of
//! 8000 × 8000 pixels, a quarter of a megabyte each, took 1.4 GiB at once
//! before.

use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use image::codecs::jpeg::JpegEncoder;
use image::error::LimitErrorKind;
use image::imageops::FilterType;
use image::{DynamicImage, ImageError, ImageFormat, ImageReader, Limits};
use prometheus::{IntCounter, IntGauge};
use protocol::limits::{AVATAR_SIDE, THUMBNAIL_SIDE};
use tokio::sync::{Semaphore, TryAcquireError};

use crate::error::{DomainError, DomainResult};

/// The most pixels a picture we decode may have: 16 megapixels (4096 ×
/// 4096; a 12-megapixel phone photo fits).
pub const MAX_PIXELS: u64 = 16 * 1024 * 1024;
/// The longest side of a picture we decode, in pixels.
pub const MAX_SIDE: u32 = 8192;
/// What one decode may allocate: the largest picture at four bytes a
/// pixel (8-bit RGBA). A picture of more bytes a pixel (16-bit channels)
/// gets fewer pixels.
const MAX_DECODED_BYTES: u64 = MAX_PIXELS * 4;
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
    /// Beyond the budget of one picture: refused before it is decoded.
    #[error("the picture is too large")]
    TooLarge,
}

impl From<NotAPicture> for DomainError {
    /// Where a picture is required (a photo, an avatar).
    fn from(e: NotAPicture) -> Self {
        match e {
            NotAPicture::TooLarge => too_large(),
            other => DomainError::validation(other.to_string()),
        }
    }
}

/// The refusal of a picture beyond the budget.
pub fn too_large() -> DomainError {
    DomainError::PictureTooLarge {
        max_pixels: MAX_PIXELS,
        max_side: MAX_SIDE,
    }
}

/// Whether `bytes` are a picture we would decode, read from its header
/// only (cheap): its format, or [`NotAPicture::Format`] when it is none we
/// show, [`NotAPicture::TooLarge`] when it is beyond the budget.
pub fn inspect(bytes: &[u8]) -> Result<ImageFormat, NotAPicture> {
    let format = image::guess_format(bytes).map_err(|_| NotAPicture::Format)?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP
    ) {
        return Err(NotAPicture::Format);
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(unreadable)?;
    if !within_budget(width, height) {
        return Err(NotAPicture::TooLarge);
    }
    Ok(format)
}

/// Whether a picture of this size is one we decode.
fn within_budget(width: u32, height: u32) -> bool {
    width <= MAX_SIDE && height <= MAX_SIDE && u64::from(width) * u64::from(height) <= MAX_PIXELS
}

/// Reads a PNG, JPEG, GIF or WebP picture and makes its thumbnail.
/// CPU-bound and up to `MAX_DECODED_BYTES` big: run it through
/// [`Decoders::run`].
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
/// [`AVATAR_SIDE`] pixels. Like [`read`], through [`Decoders::run`].
pub fn avatar(bytes: &[u8]) -> Result<Vec<u8>, NotAPicture> {
    let (_, image) = decode(bytes)?;
    encode(&image.resize_to_fill(AVATAR_SIDE, AVATAR_SIDE, FilterType::Lanczos3))
}

/// The media type of an image we made (what `encode` writes).
pub fn made_type(bytes: &[u8]) -> &'static str {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => "image/png",
        _ => "image/jpeg",
    }
}

fn decode(bytes: &[u8]) -> Result<(ImageFormat, DynamicImage), NotAPicture> {
    // The header first: a picture beyond the budget is never decoded.
    let format = inspect(bytes)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let image = reader.decode().map_err(unreadable)?;
    Ok((format, image))
}

/// A decoder's refusal: beyond the limits is too large, anything else
/// unreadable.
fn unreadable(e: ImageError) -> NotAPicture {
    match &e {
        ImageError::Limits(limit)
            if matches!(
                limit.kind(),
                LimitErrorKind::DimensionError | LimitErrorKind::InsufficientMemory
            ) =>
        {
            NotAPicture::TooLarge
        }
        _ => NotAPicture::Unreadable(e.to_string()),
    }
}

/// How many pictures this node decodes at once, and how many more may wait
/// for a turn: each decode takes up to `MAX_DECODED_BYTES`, so together
/// they take at most `at_once` times that. One more than the line holds
/// is refused at once (503, come back in a second) rather than held.
#[derive(Clone)]
pub struct Decoders {
    slots: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    line: usize,
    in_flight: IntGauge,
    refused: IntCounter,
}

impl Decoders {
    /// `at_once` decodes (0: one per core), `line` more waiting; the gauge
    /// and the counter are the node's metrics of them.
    pub fn new(at_once: usize, line: usize, in_flight: IntGauge, refused: IntCounter) -> Self {
        let at_once = match at_once {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        Self {
            slots: Arc::new(Semaphore::new(at_once)),
            waiting: Arc::new(AtomicUsize::new(0)),
            line,
            in_flight,
            refused,
        }
    }

    /// Runs `decode` (a [`read`], an [`avatar`]) on the blocking pool once a
    /// slot is free; `Unavailable` (503) when every slot is taken and the
    /// line is full. The slot is held until the decode ends, even when
    /// whoever asked for it has gone.
    pub async fn run<T, F>(&self, decode: F) -> DomainResult<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = match self.slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(TryAcquireError::NoPermits) => {
                let _in_line = self.join_line()?;
                self.slots
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| DomainError::internal("the picture decoders are closed"))?
            }
            Err(TryAcquireError::Closed) => {
                return Err(DomainError::internal("the picture decoders are closed"));
            }
        };
        let running = Running::new(self.in_flight.clone());
        tokio::task::spawn_blocking(move || {
            // Both given back when the decode ends, however it ends.
            let (_slot, _running) = (slot, running);
            decode()
        })
        .await
        .map_err(|e| DomainError::internal(format!("decoding a picture failed: {e}")))
    }

    /// A place in the line, given back when dropped (the turn came, or
    /// the request went away).
    fn join_line(&self) -> DomainResult<InLine> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.line {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            self.refused.inc();
            return Err(DomainError::Unavailable(
                "too many pictures are being decoded at once".into(),
            ));
        }
        Ok(InLine(self.waiting.clone()))
    }

    /// Decodes running now, and waiting for a slot.
    pub fn load(&self) -> (usize, usize) {
        (
            usize::try_from(self.in_flight.get()).unwrap_or(0),
            self.waiting.load(Ordering::SeqCst),
        )
    }
}

struct InLine(Arc<AtomicUsize>);

/// A decode counted in the gauge while it runs.
struct Running(IntGauge);

impl Running {
    fn new(gauge: IntGauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Drop for InLine {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
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
    fn the_budget_is_read_from_the_header() {
        assert!(within_budget(4096, 4096), "16 megapixels");
        assert!(within_budget(4032, 3024), "a phone photo");
        assert!(within_budget(MAX_SIDE, 2));
        assert!(!within_budget(4097, 4096));
        assert!(!within_budget(8000, 8000));
        assert!(!within_budget(MAX_SIDE + 1, 1), "a side too long");
        // Few pixels, one side too long: refused before any decoding.
        let strip = {
            let image = image::GrayImage::new(MAX_SIDE + 1, 1);
            let mut out = Vec::new();
            DynamicImage::ImageLuma8(image)
                .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
                .expect("encode");
            out
        };
        assert!(matches!(inspect(&strip), Err(NotAPicture::TooLarge)));
        assert!(matches!(read(&strip), Err(NotAPicture::TooLarge)));
        assert!(matches!(avatar(&strip), Err(NotAPicture::TooLarge)));
        assert!(matches!(inspect(&png(30, 20)), Ok(ImageFormat::Png)));
        assert!(matches!(inspect(b"%PDF-1.7"), Err(NotAPicture::Format)));
    }

    fn decoders(at_once: usize, line: usize) -> Decoders {
        let gauge = IntGauge::new("in_flight", "test").expect("gauge");
        let counter = IntCounter::new("refused", "test").expect("counter");
        Decoders::new(at_once, line, gauge, counter)
    }

    /// Waits (a bounded number of turns) until the decoders' load is `load`.
    async fn settle(decoders: &Decoders, load: (usize, usize)) {
        for _ in 0..10_000 {
            if decoders.load() == load {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        panic!("the load stayed {:?}, not {load:?}", decoders.load());
    }

    #[tokio::test]
    async fn decodes_beyond_the_slots_and_the_line_are_refused() {
        let decoders = decoders(1, 1);
        assert_eq!(decoders.run(|| 2 + 2).await.expect("ran"), 4);

        // One decode holds the only slot, one waits in line: the third is
        // refused at once, and the others go on.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let busy = tokio::spawn({
            let decoders = decoders.clone();
            async move { decoders.run(move || hold.recv().is_ok()).await }
        });
        settle(&decoders, (1, 0)).await;
        let queued = tokio::spawn({
            let decoders = decoders.clone();
            async move { decoders.run(|| 1).await }
        });
        settle(&decoders, (1, 1)).await;
        let refused = decoders.run(|| 0).await;
        assert!(
            matches!(refused, Err(DomainError::Unavailable(_))),
            "{refused:?}"
        );
        assert_eq!(decoders.refused.get(), 1);

        release.send(()).expect("release");
        assert!(busy.await.expect("join").expect("ran"));
        assert_eq!(queued.await.expect("join").expect("ran"), 1);
        assert_eq!(decoders.load(), (0, 0), "every slot and place given back");
    }

    #[tokio::test]
    async fn a_place_in_line_is_given_back_when_its_request_goes() {
        let decoders = decoders(1, 1);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let busy = tokio::spawn({
            let decoders = decoders.clone();
            async move { decoders.run(move || hold.recv().is_ok()).await }
        });
        settle(&decoders, (1, 0)).await;
        let gone = tokio::spawn({
            let decoders = decoders.clone();
            async move { decoders.run(|| 1).await }
        });
        settle(&decoders, (1, 1)).await;
        gone.abort();
        settle(&decoders, (1, 0)).await;
        release.send(()).expect("release");
        assert!(busy.await.expect("join").expect("ran"));
        assert_eq!(decoders.load(), (0, 0));
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
