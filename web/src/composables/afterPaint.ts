// Resolves once the browser has painted what the page shows now. A page whose data has come
// shows its heading first and renders the rest after that paint, in a task of its own: on a
// slow phone the heading then appears without waiting for the whole page's render. Should no
// frame come (a tab in the background), it resolves after 100 ms all the same.
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }),
    );
  });
}
