// The page's own live region (#thong-bao-trang, at the end of base.html): what a script tells a screen reader
// about the page as a whole, such as a list that could not load or an article being saved.
export function announce(text) {
  const status = document.getElementById("thong-bao-trang");
  if (status) status.textContent = text;
}
