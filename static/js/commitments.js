// The Commitments pages: a "Print" button (inline handlers are forbidden by the Content-Security-Policy).
document.querySelectorAll("[data-print-page]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
