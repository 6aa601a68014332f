// The screen page (console/screen.html); loaded after the page's markup, with /app.js before it.
// A wall screen's link: /screen#TOKEN. The token after '#' never leaves this browser except in the POST below; it is
// taken out of the address bar and the history at once. The gateway answers with the screen's cookie.
translate();
(async () => {
  const token = location.hash.slice(1);
  history.replaceState(null, "", "/screen");
  const out = document.getElementById("screen-status");
  if (!token) { out.textContent = t("screenNoToken"); return; }
  let r;
  try {
    r = await fetch("/screen/login", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }) });
  } catch (e) {
    out.textContent = t("screenUnreachable");
    return;
  }
  if (r.ok) {
    location.replace(await r.text());
  } else {
    out.textContent = t("screenRefused");
    out.classList.add("error");
  }
})();
