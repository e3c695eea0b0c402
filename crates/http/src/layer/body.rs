//! The response bodies of the two layers.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes};
use etagcore::{ContentHasher, ContentTag};
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

/// The data frames a [`ContentEtag`](super::ContentEtag) read before deciding, in order. One
/// chunk (a `Full` body, an axum `Body::from`) is kept without allocating; empty frames are not
/// kept, so the number of chunks is bounded by the number of bytes.
#[derive(Debug, Default)]
pub(crate) struct Chunks {
    head: Option<Bytes>,
    tail: VecDeque<Bytes>,
    len: u64,
}

impl Chunks {
    pub(crate) fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        self.len = self.len.saturating_add(chunk.len() as u64);
        if self.head.is_none() && self.tail.is_empty() {
            self.head = Some(chunk);
        } else {
            self.tail.push_back(chunk);
        }
    }

    fn pop(&mut self) -> Option<Bytes> {
        let chunk = self.head.take().or_else(|| self.tail.pop_front())?;
        self.len = self.len.saturating_sub(chunk.len() as u64);
        Some(chunk)
    }

    /// The bytes held.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The content tag of the bytes held: one pass of XXH3 over a single chunk, the streaming
    /// [`ContentHasher`] over several (the same tag either way).
    pub(crate) fn tag(&self) -> ContentTag {
        match (&self.head, self.tail.is_empty()) {
            (Some(one), true) => ContentTag::of(one),
            _ => {
                let mut hasher = ContentHasher::new();
                for chunk in self.head.iter().chain(&self.tail) {
                    hasher.update(chunk);
                }
                hasher.finish()
            }
        }
    }
}

pin_project! {
    /// Response body of [`ContentEtag`](super::ContentEtag): the frames it buffered to hash, in
    /// order, then whatever the inner body still has (its remaining frames, or the error that
    /// stopped the buffering). Trailers are passed on; data frames come out as [`Bytes`].
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::layer::{ContentEtagBody, ContentEtagLayer};
    /// use http::{Request, Response};
    /// use http_body_util::{BodyExt, Full};
    /// use tower::{ServiceBuilder, ServiceExt};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let service = ServiceBuilder::new().layer(ContentEtagLayer::new()).service_fn(|_| async {
    ///     Ok::<_, std::convert::Infallible>(Response::new(Full::<bytes::Bytes>::from("hello")))
    /// });
    /// let response: Response<ContentEtagBody<Full<_>>> =
    ///     service.oneshot(Request::new(())).await.unwrap();
    /// assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), "hello");
    /// # }
    /// ```
    pub struct ContentEtagBody<B>
    where
        B: Body,
    {
        chunks: Chunks,
        trailers: Option<HeaderMap>,
        error: Option<B::Error>,
        #[pin]
        inner: Option<B>,
    }
}

impl<B: Body> ContentEtagBody<B> {
    /// The inner body, untouched.
    pub(crate) fn passthrough(inner: B) -> Self {
        Self::replay(Chunks::default(), None, None, Some(inner))
    }

    /// The buffered frames, then the trailers, then the error, then the rest of `inner`.
    pub(crate) fn replay(
        chunks: Chunks,
        trailers: Option<HeaderMap>,
        error: Option<B::Error>,
        inner: Option<B>,
    ) -> Self {
        Self {
            chunks,
            trailers,
            error,
            inner,
        }
    }
}

impl<B: Body> Body for ContentEtagBody<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let mut this = self.project();
        if let Some(chunk) = this.chunks.pop() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if let Some(trailers) = this.trailers.take() {
            return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
        }
        if let Some(error) = this.error.take() {
            return Poll::Ready(Some(Err(error)));
        }
        let Some(inner) = this.inner.as_mut().as_pin_mut() else {
            return Poll::Ready(None);
        };
        match ready!(inner.poll_frame(cx)) {
            Some(Ok(frame)) => Poll::Ready(Some(Ok(
                frame.map_data(|mut data| data.copy_to_bytes(data.remaining()))
            ))),
            Some(Err(error)) => Poll::Ready(Some(Err(error))),
            None => {
                // Never poll a finished body again.
                this.inner.set(None);
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.len() == 0
            && self.trailers.is_none()
            && self.error.is_none()
            && self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let held = self.chunks.len();
        match &self.inner {
            None => SizeHint::with_exact(held),
            Some(inner) => {
                let rest = inner.size_hint();
                let mut hint = SizeHint::new();
                // Upper first: `set_upper` wants upper >= lower, and rest.upper >= rest.lower.
                if let Some(upper) = rest.upper() {
                    hint.set_upper(upper.saturating_add(held));
                }
                hint.set_lower(rest.lower().saturating_add(held));
                hint
            }
        }
    }
}

pin_project! {
    /// Response body of [`Precondition`](super::Precondition): the inner body, or nothing for
    /// the 304 and 412 it answers (the inner body is then dropped without being polled, so a
    /// compressor inside never runs). Its [`Default`] is the empty body.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::layer::PreconditionBody;
    /// use http_body::Body;
    /// use http_body_util::Full;
    ///
    /// let empty = PreconditionBody::<Full<bytes::Bytes>>::default();
    /// assert!(empty.is_end_stream());
    /// assert_eq!(empty.size_hint().exact(), Some(0));
    /// ```
    pub struct PreconditionBody<B> {
        #[pin]
        inner: Option<B>,
    }
}

impl<B> PreconditionBody<B> {
    pub(crate) fn new(inner: B) -> Self {
        Self { inner: Some(inner) }
    }
}

impl<B> Default for PreconditionBody<B> {
    fn default() -> Self {
        Self { inner: None }
    }
}

impl<B: Body> Body for PreconditionBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        match self.project().inner.as_pin_mut() {
            Some(inner) => inner.poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}
