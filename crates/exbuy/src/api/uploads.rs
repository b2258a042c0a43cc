//! `POST /api/uploads`: the `file` part streams to disk under the upload folder while its size
//! (≤ 10 MiB, checked as it arrives) and SHA-256 are computed; nothing partial is left behind.

use std::path::{Path, PathBuf};

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{AppState, MAX_UPLOAD_BYTES};
use crate::error::{ApiError, ApiResult};

const TOO_LARGE: &str = "파일 크기는 10MB 이하여야 합니다.";
const NO_FILE: &str = "파일이 제공되지 않았습니다.";

/// Removes the temporary file unless it was kept.
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

pub async fn upload(State(state): State<AppState>, request: Request) -> ApiResult<Response> {
    let content_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !content_type.starts_with("multipart/form-data") {
        let shown = content_type.split(';').next().unwrap_or("").trim();
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({"detail": format!("Unsupported media type \"{shown}\" in request.")}),
        ));
    }
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, json!({"detail": e.body_text()})))?;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().unwrap_or("upload").to_owned();
        let part_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
        tokio::fs::create_dir_all(&state.upload_dir).await.map_err(io_error)?;
        let temp = state
            .upload_dir
            .join(format!(".partial-{:016x}", rand::random::<u64>()));
        let mut partial = Partial(Some(temp.clone()));
        let mut file = tokio::fs::File::create(&temp).await.map_err(io_error)?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            size += chunk.len() as u64;
            if size > MAX_UPLOAD_BYTES {
                return Err(ApiError::error(StatusCode::BAD_REQUEST, TOO_LARGE));
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(io_error)?;
        }
        file.flush().await.map_err(io_error)?;
        file.sync_all().await.map_err(io_error)?;
        drop(file);
        let sha256: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        // Stored by content: the same bytes uploaded twice are one file.
        let stored: PathBuf = Path::new(&state.upload_dir).join(&sha256);
        tokio::fs::rename(&temp, &stored).await.map_err(io_error)?;
        partial.0 = None;
        let body = json!({
            "filename": filename,
            "size": size,
            "content_type": part_type,
            "status": "uploaded",
            "sha256": sha256,
        });
        return Ok((StatusCode::CREATED, Json(body)).into_response());
    }
    Err(ApiError::error(StatusCode::BAD_REQUEST, NO_FILE))
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    // A body over the route's limit surfaces here: report the 10 MiB rule, not a parse error.
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::error(StatusCode::BAD_REQUEST, TOO_LARGE);
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        json!({"detail": format!("Multipart form parse error - {}", error.body_text())}),
    )
}

fn io_error(error: std::io::Error) -> ApiError {
    tracing::error!(%error, "upload storage");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({"detail": "Could not store the upload."}),
    )
}
