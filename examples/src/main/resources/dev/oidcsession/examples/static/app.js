// The /app page's countdowns; served as a file so the page's Content-Security-Policy needs no
// 'unsafe-inline'. session.js (loaded before this file) provides OidcSession.
(function () {
  function text(id) {
    return document.getElementById(id).textContent;
  }
  function left(id, at) {
    var s = Math.max(0, Math.round((Date.parse(at) - Date.now()) / 1000));
    document.getElementById(id).textContent = Math.floor(s / 60) + 'm ' + (s % 60) + 's';
  }
  var current = { expiresAt: text('expires-at'), renewAt: text('renew-at') };
  OidcSession.onChange(function (s) {
    if (!s.authenticated) { return; }
    current = s;
    document.getElementById('expires-at').textContent = s.expiresAt;
    document.getElementById('renew-at').textContent = s.renewAt;
  });
  OidcSession.onExpiring(function (secs) {
    document.getElementById('status').textContent = 'Session ends in ' + secs + ' s.';
  });
  function tick() { left('expires-in', current.expiresAt); left('renews-in', current.renewAt); }
  tick();
  setInterval(tick, 1000);
})();
