//! The file store: where the bytes of attachments, thumbnails and avatars
//! live, behind `object_store`'s one trait. A directory under the data dir
//! by default; an S3-compatible bucket when one is configured, so that
//! several nodes serve each other's uploads.
//!
//! Below the rules like `db`: it stores and returns bytes by name and knows
//! nothing of who may see them.

mod pending;

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use domain::error::{DomainError, Missing};
use futures_util::stream::{BoxStream, StreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use protocol::{AttachmentId, PhotoId};
use uuid::Uuid;

pub use pending::Pending;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("no such file in the store")]
    NotFound,
    /// The store did not answer as it should (a bucket away, a full disk).
    #[error("the file store failed: {0}")]
    Store(String),
}

impl From<object_store::Error> for FileError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => Self::NotFound,
            other => Self::Store(other.to_string()),
        }
    }
}

/// One stored file, by what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blob {
    Attachment(AttachmentId),
    Thumbnail(AttachmentId),
    Avatar(Uuid),
    Photo(PhotoId),
    PhotoThumbnail(PhotoId),
}

impl Blob {
    fn key(&self) -> Key {
        match self {
            Self::Attachment(id) => Key::from(format!("attachments/{id}")),
            Self::Thumbnail(id) => Key::from(format!("attachments/{id}.thumbnail")),
            Self::Avatar(id) => Key::from(format!("avatars/{id}")),
            Self::Photo(id) => Key::from(format!("photos/{id}")),
            Self::PhotoThumbnail(id) => Key::from(format!("photos/{id}.thumbnail")),
        }
    }
}

/// Where to keep files in an S3-compatible bucket. Unset values come from
/// the usual `AWS_*` environment variables.
#[derive(Debug, Clone, Default)]
pub struct Bucket {
    pub name: String,
    /// `http(s)://host:port` of an S3-compatible service (MinIO, Ceph…);
    /// unset: AWS itself.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

/// A file on its way out: its size, and its bytes as they arrive.
pub struct Download {
    pub size: u64,
    pub bytes: BoxStream<'static, Result<Bytes, FileError>>,
}

#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({})", self.inner)
    }
}

impl FileStore {
    /// Files in `dir` (created if missing).
    pub fn in_directory(dir: &Path) -> Result<Self, FileError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| FileError::Store(format!("cannot create {}: {e}", dir.display())))?;
        let local = LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true);
        Ok(Self {
            inner: Arc::new(local),
        })
    }

    /// Files in an S3-compatible bucket (which must exist).
    pub fn in_bucket(bucket: &Bucket) -> Result<Self, FileError> {
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&bucket.name);
        if let Some(endpoint) = &bucket.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                // Self-hosted services answer on one host, bucket in the path.
                .with_virtual_hosted_style_request(false);
        }
        if let Some(region) = &bucket.region {
            builder = builder.with_region(region);
        }
        if let Some(key) = &bucket.access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &bucket.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        Ok(Self {
            inner: Arc::new(builder.build()?),
        })
    }

    pub async fn put(&self, blob: Blob, bytes: Vec<u8>) -> Result<(), FileError> {
        self.inner.put(&blob.key(), PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Streams a file out.
    pub async fn get(&self, blob: Blob) -> Result<Download, FileError> {
        let found = self.inner.get(&blob.key()).await?;
        let size = found.meta.size;
        let bytes = found
            .into_stream()
            .map(|chunk| chunk.map_err(FileError::from))
            .boxed();
        Ok(Download { size, bytes })
    }

    /// A small file (a thumbnail, an avatar), whole.
    pub async fn read(&self, blob: Blob) -> Result<Bytes, FileError> {
        Ok(self.inner.get(&blob.key()).await?.bytes().await?)
    }

    /// Removes a file; one that is not there is removed already.
    pub async fn delete(&self, blob: Blob) -> Result<(), FileError> {
        match self.inner.delete(&blob.key()).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores files that only count once something else succeeds (their
    /// row committing): dropped without [`Pending::keep`], they are
    /// removed again.
    pub async fn put_pending(&self, files: Vec<(Blob, Vec<u8>)>) -> Result<Pending, FileError> {
        let mut pending = Pending::new(self.clone());
        for (blob, bytes) in files {
            // Listed first: a put that fails halfway leaves nothing either.
            pending.add(blob);
            self.put(blob, bytes).await?;
        }
        Ok(pending)
    }
}

/// A missing file is a missing thing; a store that fails is a moment's
/// outage, like a database away.
impl From<FileError> for DomainError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::NotFound => Self::NotFound(Missing::File),
            // Like a database away: a moment's outage, come back (503).
            FileError::Store(cause) => Self::Unavailable(cause),
        }
    }
}
