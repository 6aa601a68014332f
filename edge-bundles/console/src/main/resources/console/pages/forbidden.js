// The forbidden page (console/forbidden.html); loaded after the page's markup, with /app.js before it.
translate();
