// The idle timeout without lost work (WCAG 2.2.1, issue 17 item 1). No inline scripts: the CSP forbids them.
//
// 1. Warning: before the server's idle timeout (assessments/middleware.py) a dialog says when the session
//    will end and offers "Stay signed in" (a POST to the keep-alive URL). It is a modal <dialog> with the
//    role alertdialog: screen readers announce it, the focus moves onto its button, Escape also stays.
//    Someone typing in the page is not idle: the session is then extended without asking.
// 2. Drafts: what is typed in a form marked data-dirty-warning or data-keep-draft is kept in sessionStorage
//    (this tab only; gone when it closes) under the user's id and the page's path, until the form is sent
//    while signed in. If the session ended first, the sign-in page brings the person back to the page
//    (?next=) and the input is put back with a notice that it is not saved yet. Signing out, or another
//    user signing in in this tab, removes the drafts.
(function () {
  "use strict";

  var PREFIX = "lhs-draft:";
  var dialog = document.getElementById("session-timeout");
  var user = dialog ? dialog.getAttribute("data-user") : null;
  var storage;
  try {
    storage = window.sessionStorage;
  } catch (error) {
    storage = null;  // storage disabled: the warning still works
  }

  // ---- Drafts -------------------------------------------------------------------------------------------
  function draftKeys() {
    var keys = [];
    if (!storage) { return keys; }
    for (var i = 0; i < storage.length; i += 1) {
      var key = storage.key(i);
      if (key && key.indexOf(PREFIX) === 0) { keys.push(key); }
    }
    return keys;
  }
  function readDraft(key) {
    try { return JSON.parse(storage.getItem(key)); } catch (error) { return null; }
  }
  function writeDraft(key, draft) {
    try { storage.setItem(key, JSON.stringify(draft)); } catch (error) { /* full or disabled: nothing kept */ }
  }
  function whenReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }
  function removeAllDrafts() { draftKeys().forEach(function (key) { storage.removeItem(key); }); }

  function kept(element) {
    var type = (element.type || "").toLowerCase();
    return element.name && element.name !== "csrfmiddlewaretoken" && !element.disabled &&
      ["hidden", "password", "file", "submit", "button", "reset"].indexOf(type) === -1;
  }
  function snapshot(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) { return; }
      var type = (element.type || "").toLowerCase();
      if (type === "radio") {
        if (element.checked) { values[element.name] = element.value; }
      } else if (type === "checkbox") {
        values[element.name] = values[element.name] || [];
        if (element.checked) { values[element.name].push(element.value); }
      } else {
        values[element.name] = element.value;
      }
    });
    return values;
  }
  function restore(form, values) {
    var changed = false;
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element) || !Object.prototype.hasOwnProperty.call(values, element.name)) { return; }
      var value = values[element.name];
      var type = (element.type || "").toLowerCase();
      var before = type === "radio" || type === "checkbox" ? element.checked : element.value;
      if (type === "radio") {
        element.checked = element.value === value;
      } else if (type === "checkbox") {
        element.checked = value.indexOf(element.value) !== -1;
      } else {
        element.value = value;
      }
      var after = type === "radio" || type === "checkbox" ? element.checked : element.value;
      if (after !== before) {
        changed = true;
        element.dispatchEvent(new Event("input", { bubbles: true }));
        element.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    return changed;
  }
  function restoredNotice(form, key, savedAt) {
    var notice = document.createElement("div");
    notice.className = "alert alert-warning draft-notice d-flex flex-wrap gap-2 align-items-center";
    notice.setAttribute("role", "alert");
    notice.setAttribute("tabindex", "-1");
    notice.setAttribute("data-draft-notice", "");
    var text = document.createElement("span");
    var time = new Date(savedAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    text.textContent = "Your input from " + time + " was put back on this page. It is not saved yet: check it, then save.";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-dark ms-auto";
    discard.textContent = "Discard it";
    discard.addEventListener("click", function () {
      storage.removeItem(key);
      window.location.reload();
    });
    notice.appendChild(text);
    notice.appendChild(discard);
    form.insertBefore(notice, form.firstChild);
    notice.focus();
  }

  if (storage) {
    if (!user) {
      // Signed out (the sign-in page): a form sent just before reached a closed session and was not saved.
      draftKeys().forEach(function (key) {
        var draft = readDraft(key);
        if (draft && draft.sent) { draft.sent = false; writeDraft(key, draft); }
      });
    } else {
      draftKeys().forEach(function (key) {
        var draft = readDraft(key);
        // Another person's input is never shown; a form sent while signed in reached the server.
        if (!draft || key.indexOf(PREFIX + user + ":") !== 0 || draft.sent) { storage.removeItem(key); }
      });
      // After the page's own scripts (assessment.js) are listening, so restored input counts as a change.
      whenReady(function () { document.querySelectorAll("form[data-dirty-warning], form[data-keep-draft]").forEach(function (form, index) {
        var key = PREFIX + user + ":" + window.location.pathname + ":" + index;
        var draft = readDraft(key);
        if (draft && draft.values && restore(form, draft.values)) {
          restoredNotice(form, key, draft.savedAt);
        }
        var save = function () { writeDraft(key, { values: snapshot(form), savedAt: Date.now(), sent: false }); };
        form.addEventListener("input", save);
        form.addEventListener("change", save);
        form.addEventListener("submit", function () {
          writeDraft(key, { values: snapshot(form), savedAt: Date.now(), sent: true });
        });
      }); });
    }
    // Signing out leaves nothing typed behind in this tab.
    var logoutUrl = dialog ? dialog.getAttribute("data-logout-url") : null;
    document.addEventListener("submit", function (event) {
      if (logoutUrl && event.target.getAttribute("action") === logoutUrl) { removeAllDrafts(); }
    });
  }

  // ---- The idle-timeout warning -------------------------------------------------------------------------
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var secondsLeft = parseInt(dialog.getAttribute("data-seconds-left"), 10);
  var warning = parseInt(dialog.getAttribute("data-warning-seconds"), 10);
  var idle = parseInt(dialog.getAttribute("data-idle-seconds"), 10);
  if (isNaN(secondsLeft) || isNaN(warning) || isNaN(idle)) { return; }
  // Typing or clicking in the page this recently means the person is there, not idle.
  var activeWithinMs = Math.min(300, idle / 4) * 1000;
  var text = dialog.querySelector("[data-session-text]");
  var announce = dialog.querySelector("[data-session-announce]");
  var stay = dialog.querySelector("[data-session-stay]");
  var signIn = dialog.querySelector("[data-session-sign-in]");
  var title = dialog.querySelector("[data-session-title]");
  var deadline;
  var lastActivity = 0;
  var expired = false;

  function schedule(seconds) {
    deadline = Date.now() + seconds * 1000;
  }
  function warnAt() {
    return deadline - Math.min(warning, (deadline - Date.now()) / 2000 + 1) * 1000;
  }
  schedule(secondsLeft);
  var firstWarnAt = warnAt();

  function inWords(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    var parts = [];
    if (minutes) { parts.push(minutes + (minutes === 1 ? " minute" : " minutes")); }
    if (rest || !minutes) { parts.push(rest + (rest === 1 ? " second" : " seconds")); }
    return parts.join(" ");
  }
  function keepAlive() {
    var token = dialog.querySelector("input[name=csrfmiddlewaretoken]");
    return fetch(dialog.getAttribute("data-keepalive-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!response.ok || response.redirected || !json) { throw new Error("signed out"); }
      return response.json();
    }).then(function (data) {
      schedule(data.seconds_left);
      firstWarnAt = warnAt();
    });
  }
  function showExpired() {
    expired = true;
    title.textContent = "You have been signed out";
    text.textContent = "You were signed out after a period of inactivity. What you typed on this page is kept in this browser tab: sign in again to save it.";
    announce.textContent = "You have been signed out. Sign in again to save your input.";
    stay.hidden = true;
    signIn.hidden = false;
    if (!dialog.open) { dialog.showModal(); }
    signIn.focus();
  }
  stay.addEventListener("click", function () {
    keepAlive().then(function () { dialog.close(); }, showExpired);
  });
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();  // Escape: the same as "Stay signed in"; once signed out, it is "Sign in again"
    (expired ? signIn : stay).click();
  });
  signIn.addEventListener("click", function () {
    // The page itself, by GET: the server sees the ended session and sends the person to sign in with
    // ?next= this page. The unsaved-changes prompt has nothing to protect: the input is kept.
    document.documentElement.setAttribute("data-leaving-to-sign-in", "");
    window.location.assign(window.location.pathname + window.location.search);
  });
  ["keydown", "pointerdown", "input"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (!dialog.contains(event.target)) { lastActivity = Date.now(); }
    }, true);
  });

  window.setInterval(function () {
    if (expired) { return; }
    var now = Date.now();
    if (now >= deadline) {
      showExpired();
    } else if (now >= firstWarnAt && !dialog.open) {
      if (now - lastActivity < activeWithinMs) {
        keepAlive().catch(showExpired);  // typing in the page is activity: extend without asking
        firstWarnAt = deadline;  // until the answer comes
        return;
      }
      title.textContent = "You will be signed out soon";
      text.textContent = "You have been inactive for a while. You will be signed out in " + inWords(deadline - now) + ".";
      dialog.showModal();
      stay.focus();
    } else if (dialog.open) {
      text.textContent = "You have been inactive for a while. You will be signed out in " + inWords(deadline - now) + ".";
    }
  }, 1000);
})();
