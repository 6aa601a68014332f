// The login page (console/login.html); loaded after the page's markup, with /app.js before it.
translate();
document.getElementById("user").placeholder = t("name");
document.getElementById("password").placeholder = t("password");
const params = new URLSearchParams(location.search);
if (params.has("failed")) document.getElementById("failed").hidden = false;
if (params.has("wait")) document.getElementById("failed").textContent = t("waitSeconds").replace("{s}", params.get("wait"));
document.getElementById("lang").addEventListener("click", switchLang);
