//! Keeps values out of traces: while a request is polled, the SDK's trace-level events
//! that print a whole response or a decoded output (items, keys, values) are held back.
//!
//! `aws-smithy-runtime` logs, at TRACE, the response it read and the output it decoded,
//! with every attribute value in them. While the library polls a request, the default
//! dispatcher is [`Redacting`]: one static dispatcher that hands everything to the
//! dispatcher that was the default (kept per thread, for the length of the poll),
//! except those events. Nothing is wrapped unless the subscriber takes such events at
//! all, and [`Db::with_value_tracing`](crate::Db::with_value_tracing) turns it off.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Dispatch, Event, Level, Metadata, Subscriber};

/// Where the SDK's value-bearing events come from.
const SDK_ORCHESTRATOR: &str = "aws_smithy_runtime::client::orchestrator";

thread_local! {
    /// The dispatcher that was the default when the poll began.
    static INNER: RefCell<Option<Dispatch>> = const { RefCell::new(None) };
}

/// Whether an event prints a response or an output: values, keys, items.
fn leaks(metadata: &Metadata<'_>) -> bool {
    metadata.is_event()
        && *metadata.level() == Level::TRACE
        && metadata.target().starts_with(SDK_ORCHESTRATOR)
        && (metadata.fields().field("output_or_error").is_some() || metadata.fields().field("response").is_some())
}

/// Polls `request` with the SDK's value-bearing events held back, when the current
/// subscriber would take them; otherwise polls it as it is.
pub(crate) async fn redacted<F: Future + Unpin>(request: F) -> F::Output {
    if !tracing::enabled!(target: "aws_smithy_runtime::client::orchestrator", Level::TRACE) {
        return request.await;
    }
    Redacted { request }.await
}

struct Redacted<F> {
    request: F,
}

impl<F: Future + Unpin> Future for Redacted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        static REDACTING: OnceLock<Dispatch> = OnceLock::new();
        let redacting = REDACTING.get_or_init(|| Dispatch::new(Redacting));
        let current = tracing::dispatcher::get_default(Dispatch::clone);
        // Already inside (a nested poll): the inner dispatcher is set.
        if current.is::<Redacting>() {
            return Pin::new(&mut self.request).poll(cx);
        }
        let previous = INNER.with(|inner| inner.replace(Some(current)));
        let result = tracing::dispatcher::with_default(redacting, || Pin::new(&mut self.request).poll(cx));
        INNER.with(|inner| *inner.borrow_mut() = previous);
        result
    }
}

/// The dispatcher in force while a request is polled.
struct Redacting;

impl Redacting {
    fn inner<R>(&self, f: impl FnOnce(&Dispatch) -> R) -> Option<R> {
        INNER.with(|inner| inner.borrow().as_ref().map(f))
    }
}

impl Subscriber for Redacting {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // Which dispatcher is inside changes from poll to poll: ask every time.
        Interest::sometimes()
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        !leaks(metadata) && self.inner(|inner| inner.enabled(metadata)).unwrap_or(false)
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.inner(|inner| inner.new_span(span)).unwrap_or_else(|| Id::from_u64(u64::MAX))
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        self.inner(|inner| inner.record(span, values));
    }

    fn record_follows_from(&self, span: &Id, follows: &Id) {
        self.inner(|inner| inner.record_follows_from(span, follows));
    }

    fn event_enabled(&self, event: &Event<'_>) -> bool {
        // The inner dispatcher asks its own subscriber when the event reaches it.
        !leaks(event.metadata())
    }

    fn event(&self, event: &Event<'_>) {
        if !leaks(event.metadata()) {
            self.inner(|inner| inner.event(event));
        }
    }

    fn enter(&self, span: &Id) {
        self.inner(|inner| inner.enter(span));
    }

    fn exit(&self, span: &Id) {
        self.inner(|inner| inner.exit(span));
    }

    fn clone_span(&self, id: &Id) -> Id {
        self.inner(|inner| inner.clone_span(id)).unwrap_or_else(|| id.clone())
    }

    fn try_close(&self, id: Id) -> bool {
        self.inner(|inner| inner.try_close(id.clone())).unwrap_or(false)
    }

    fn current_span(&self) -> tracing_core::span::Current {
        self.inner(|inner| inner.current_span()).unwrap_or_else(tracing_core::span::Current::none)
    }
}
