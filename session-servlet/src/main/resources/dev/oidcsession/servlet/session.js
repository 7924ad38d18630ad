/*
 * oidc-session browser helper, served by OidcSessionFilter at <prefix>/session.js.
 *
 * Every open tab knows from <prefix>/session how many seconds are left until the renewal is due
 * (renewIn) and until the session ends (expiresIn), and schedules on its own timers: the browser's
 * clock is never compared with the server's instants, so a client clock that is minutes off
 * changes nothing. Shortly after renewal is due, one tab at a time asks the server to renew: tabs coordinate through a BroadcastChannel (the first tab
 * whose skewed timer fires announces itself, the others stand back), and where there is no
 * BroadcastChannel the random skew alone keeps tabs apart. The session thus stays alive while any
 * tab is open. A tab never asks faster than every MIN_DELAY, and while the server has not renewed
 * (renewalPending: a renewal in flight, or backing off after a provider failure) no faster than
 * every PENDING_DELAY. When one tab logs out or sees the session gone, every tab leaves.
 *
 * Use:  <script src="/oidc/session.js" data-logged-out="/"></script>
 * API:  OidcSession.onExpiring(fn)   fn(secondsLeft) once, 60 s before expiry
 *       OidcSession.onLoggedOut(fn)  fn() when the session ends; return false to stay on the page
 *       OidcSession.onChange(fn)     fn(session) whenever the session state is read
 *       OidcSession.logout()         logs out (POST <prefix>/logout) in this and every tab
 *       OidcSession.current()        the last /session answer
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var src = script ? script.getAttribute('src') : '/oidc/session.js';
  var prefix = (script && script.getAttribute('data-prefix')) ||
      src.replace(/\/session\.js(\?.*)?$/, '');
  var leavePage = (script && script.getAttribute('data-logged-out')) || '/';
  var channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('oidc-session') : null;
  var tab = Math.random().toString(36).slice(2);
  var state = null;
  var renewTimer = null;
  var expiringTimer = null;
  var expiringFired = false;
  var left = false;
  var failures = 0;
  var handlers = { expiring: [], loggedOut: [], change: [] };
  var MIN_DELAY = 10000;      // ms: the fastest a tab ever asks again
  var PENDING_DELAY = 30000;  // ms: the fastest it asks while the server has not renewed
  var SKEW = 5000;            // ms: random spread so that tabs and browsers do not ask together

  function emit(kind, arg) {
    var stay = false;
    handlers[kind].forEach(function (fn) {
      try {
        if (fn(arg) === false) { stay = true; }
      } catch (e) { /* a handler's bug must not stop the others */ }
    });
    return stay;
  }

  function fetchSession() {
    return fetch(prefix + '/session', {
      credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' }
    }).then(function (r) {
      if (r.status === 503) { throw new Error('unavailable'); }
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.json();
    });
  }

  var seenAuthenticated = false;

  function apply(session, fromOtherTab) {
    state = session;
    emit('change', session);
    if (!session.authenticated) {
      // Leave only a page that had a session: a public page that loads the helper stays put
      // (and does not tell the other tabs anything), so it cannot loop on itself.
      if (seenAuthenticated) { leave(!fromOtherTab); }
      return;
    }
    seenAuthenticated = true;
    failures = 0;
    schedule();
  }

  function schedule() {
    clearTimeout(renewTimer);
    clearTimeout(expiringTimer);
    // Relative times from the server, measured from now on this tab's timers (never Date.now()).
    var renewIn = Math.max(0, Number(state.renewIn) || 0) * 1000;
    var expiresIn = Math.max(0, Number(state.expiresIn) || 0) * 1000;
    var delay;
    if (state.renewalPending || renewIn === 0) {
      // The server has not renewed: ask again slowly, and before the end if that comes first.
      delay = Math.max(MIN_DELAY, Math.min(PENDING_DELAY + Math.random() * SKEW, expiresIn - MIN_DELAY));
    } else {
      // Skew each tab by up to 5 s after the renewal is due; the first timer renews for all tabs.
      delay = Math.max(MIN_DELAY, renewIn + 500 + Math.random() * SKEW);
    }
    renewTimer = setTimeout(renewTurn, Math.min(delay, 2147483647));
    var scheduledAt = performance.now();
    var warnIn = expiresIn - 60000;
    if (!expiringFired && warnIn < 2147483647) {
      expiringTimer = setTimeout(function () {
        expiringFired = true;
        var remaining = expiresIn - (performance.now() - scheduledAt);
        emit('expiring', Math.max(0, Math.round(remaining / 1000)));
      }, Math.max(0, warnIn));
    }
  }

  function renewTurn() {
    if (channel) { channel.postMessage({ type: 'renewing', tab: tab }); }
    fetchSession().then(function (session) {
      if (channel) { channel.postMessage({ type: 'session', tab: tab, session: session }); }
      apply(session, false);
    }).catch(function () {
      // Network or store trouble is not a logout: try again with backoff, never faster than
      // MIN_DELAY.
      failures += 1;
      var wait = MIN_DELAY + Math.min(60000, 1000 * Math.pow(2, failures)) * Math.random();
      renewTimer = setTimeout(renewTurn, wait);
    });
  }

  function leave(broadcast) {
    if (left) { return; }
    left = true;
    clearTimeout(renewTimer);
    clearTimeout(expiringTimer);
    if (broadcast && channel) { channel.postMessage({ type: 'loggedOut', tab: tab }); }
    if (!emit('loggedOut')) { window.location.assign(leavePage); }
  }

  if (channel) {
    channel.onmessage = function (event) {
      var message = event.data || {};
      if (message.tab === tab || left) { return; }
      if (message.type === 'renewing') {
        // Another tab renews: stand back, but take over if it goes quiet.
        clearTimeout(renewTimer);
        renewTimer = setTimeout(renewTurn, 15000 + Math.random() * 5000);
      } else if (message.type === 'session') {
        apply(message.session, true);
      } else if (message.type === 'loggedOut') {
        confirmLoggedOut(10);
      }
    };
  }

  // Another tab is logging out: leave once the server agrees (its logout may still be running).
  function confirmLoggedOut(triesLeft) {
    fetchSession().then(function (s) {
      if (!s.authenticated) {
        state = s;
        emit('change', s);
        if (seenAuthenticated) { leave(false); }
      } else if (triesLeft > 0) {
        setTimeout(function () { confirmLoggedOut(triesLeft - 1); }, 500);
      } else {
        apply(s, false); // that logout did not happen: stay
      }
    }).catch(function () {
      if (triesLeft > 0) { setTimeout(function () { confirmLoggedOut(triesLeft - 1); }, 500); }
    });
  }

  // A logout form submitted in this tab (not through OidcSession.logout()) tells the others too.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form && form.method && form.method.toLowerCase() === 'post' &&
        /\/logout$/.test(form.getAttribute('action') || '') && channel) {
      left = true;
      channel.postMessage({ type: 'loggedOut', tab: tab });
    }
  }, true);

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && !left) {
      fetchSession().then(function (s) { apply(s, false); }).catch(function () {});
    }
  });

  window.OidcSession = {
    onExpiring: function (fn) { handlers.expiring.push(fn); },
    onLoggedOut: function (fn) { handlers.loggedOut.push(fn); },
    onChange: function (fn) { handlers.change.push(fn); if (state) { fn(state); } },
    current: function () { return state; },
    logout: function () {
      if (channel) { channel.postMessage({ type: 'loggedOut', tab: tab }); }
      left = true;
      var form = document.createElement('form');
      form.method = 'POST';
      form.action = prefix + '/logout';
      document.body.appendChild(form);
      form.submit();
    }
  };

  fetchSession().then(function (s) { apply(s, false); }).catch(function () {
    renewTimer = setTimeout(renewTurn, 2000 + Math.random() * 2000);
  });
}());
