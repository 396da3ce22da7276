// jsdom has no ResizeObserver; Fluent UI's MessageBar observes its own size for layout, which tests do not need.
class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoopResizeObserver;
