// Shared by every page: the token (sessionStorage, this tab only), API calls, small helpers.
"use strict";

const Devora = (() => {
  const KEY = "devora-token";
  let started = false;

  function token() { return sessionStorage.getItem(KEY); }

  class ApiError extends Error {
    constructor(status, body) {
      super(body && body.error ? body.error : `HTTP ${status}`);
      this.status = status;
      this.hint = body && body.hint ? body.hint : "";
    }
  }

  async function api(method, path, body) {
    const options = { method, headers: { Authorization: `Bearer ${token()}` } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = { error: text }; }
    if (response.status === 401) { logout(); }
    if (!response.ok) { throw new ApiError(response.status, data); }
    return data;
  }

  // `read` (async) made to run one call at a time: a call made while one is in flight
  // starts when that one ends, and the calls made meanwhile share it. Two reads at once
  // can answer out of order: the older state, shown last, would stay on the page.
  function oneAtATime(read) {
    let running = null;
    let next = null;
    const call = () => {
      if (!running) {
        running = read().finally(() => { running = null; });
        return running;
      }
      next ||= running.catch(() => {}).then(() => { next = null; return call(); });
      return next;
    };
    return call;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function showError(error) {
    const target = document.getElementById("error");
    target.textContent = error ? `${error.message}${error.hint ? " — " + error.hint : ""}` : "";
  }

  function clock(seconds) {
    return seconds ? new Date(seconds * 1000).toLocaleString() : "";
  }

  function duration(start, end) {
    return start && end ? `${(end - start).toFixed(1)}s` : "";
  }

  function statusBadge(status) {
    return el("span", { class: `status status-${status}`, text: status });
  }

  function logout() {
    sessionStorage.removeItem(KEY);
    document.getElementById("content").hidden = true;
    document.getElementById("logout").hidden = true;
    document.getElementById("login").hidden = false;
  }

  // Show the login form until a token works, then call `start` once.
  function boot(start) {
    const form = document.getElementById("login-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, document.getElementById("token").value.trim());
      try {
        await api("GET", "/api/workflows");
      } catch (error) {
        sessionStorage.removeItem(KEY);
        document.getElementById("login-error").textContent = error.message;
        return;
      }
      document.getElementById("token").value = "";
      document.getElementById("login-error").textContent = "";
      enter(start);
    });
    document.getElementById("logout").addEventListener("click", logout);
    if (token()) enter(start); else logout();
  }

  function enter(start) {
    document.getElementById("login").hidden = true;
    document.getElementById("content").hidden = false;
    document.getElementById("logout").hidden = false;
    if (!started) {
      started = true;
      start().catch(showError);
    }
  }

  return { api, boot, clock, duration, el, oneAtATime, showError, statusBadge };
})();
