/* The referee's scoresheet on a tablet: the run timer, the event buttons, the taps with
   undo, the timing gate's crossings (polled every second), the captain's confirmation and
   the submit. The sheet is kept in the tablet's storage until the server accepts it, so a
   reload, a dropped network or a refusal (a second tablet scored the run first) loses
   nothing. Plain JavaScript, no library: gyms are often offline. */
(function () {
  "use strict";

  var dataNode = document.getElementById("sheet-data");
  var sheetNode = document.getElementById("sheet");
  if (!dataNode || !sheetNode) { return; }
  var data = JSON.parse(dataNode.textContent);
  var texts = data.texts;
  var storeKey = "roboarena.sheet." + data.run + ".v" + data.version;
  var labels = {};
  data.buttons.forEach(function (button) { labels[button.key] = button.label; });

  // startLocal: when the timer started, on this tablet's clock; startedAtMs: the same moment
  // on the server's clock (what places the gate's crossings on the run's timer);
  // stoppedAt: the run time when the timer was stopped, or null while it runs.
  var state = load() || { startLocal: null, startedAtMs: null, stoppedAt: null, taps: [] };
  var skewMs = 0;             // the server's clock minus this tablet's, from the last poll
  var crossings = [];
  var sending = false;
  var done = false;           // the server accepted the sheet: nothing more to do here

  var clock = document.getElementById("clock");
  var timerButton = document.getElementById("timer");
  var tapList = document.getElementById("taps");
  var crossingList = document.getElementById("crossings");
  var message = document.getElementById("message");
  var captain = document.getElementById("captain");
  var confirmed = document.getElementById("captain-confirmed");
  var submitButton = document.getElementById("submit");
  var tapButtons = Array.prototype.slice.call(document.querySelectorAll("button.tap"));

  function fill(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : whole;
    });
  }

  function seconds(ms) { return (ms / 1000).toFixed(3); }

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey)); } catch (ignored) { return null; }
  }

  function save() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(state)); } catch (ignored) { /* private mode */ }
  }

  function running() { return state.startLocal !== null && state.stoppedAt === null; }

  function elapsed() {
    if (state.startLocal === null) { return 0; }
    return state.stoppedAt !== null ? state.stoppedAt : Date.now() - state.startLocal;
  }

  function finished() {
    return state.taps.length > 0 && state.taps[state.taps.length - 1].event === "finished";
  }

  function show(text, ok) {
    message.textContent = text;
    message.className = ok ? "ok" : "error";
    message.hidden = !text;
  }

  // The gate the robot passes next: taps pass the next gate in order, a timing-gate
  // crossing passes the last one (the start line), as the server counts them.
  function nextGate() {
    var gates = data.gates;
    if (!gates.length) { return null; }
    var passages = state.taps.filter(function (tap) { return tap.event === "checkpoint"; })
      .map(function (tap) { return { t: tap.t_ms, gate: false }; });
    crossings.forEach(function (crossing) {
      if (crossing.t_ms !== null && crossing.t_ms >= 0 && crossing.t_ms <= elapsed()) {
        passages.push({ t: crossing.t_ms, gate: true });
      }
    });
    passages.sort(function (a, b) { return a.t - b.t || (a.gate ? 1 : 0) - (b.gate ? 1 : 0); });
    var next = 0;
    passages.forEach(function (passage) { next = passage.gate ? 0 : (next + 1) % gates.length; });
    return gates[next];
  }

  function renderTimer() {
    clock.textContent = (elapsed() / 1000).toFixed(1);
    timerButton.textContent = running() ? texts.timer_stop : texts.timer_start;
    timerButton.className = "big" + (running() ? " running" : "");
  }

  function render() {
    renderTimer();
    var closed = finished() || sending || done;
    tapButtons.forEach(function (button) {
      button.disabled = !running() || closed;
      var hint = button.querySelector("small");
      if (button.getAttribute("data-key") === "checkpoint" && hint) {
        var gate = nextGate();
        hint.textContent = gate ? fill(texts.next_gate, { gate: gate }) : "";
      }
    });
    timerButton.disabled = sending || done;
    tapList.innerHTML = "";
    if (!state.taps.length) {
      var empty = document.createElement("li");
      empty.className = "note";
      empty.textContent = texts.no_taps;
      tapList.appendChild(empty);
    }
    state.taps.slice().reverse().forEach(function (tap) {
      var item = document.createElement("li");
      item.textContent = (labels[tap.event] || tap.event) + " — " + fill(texts.at, { t: seconds(tap.t_ms) });
      tapList.appendChild(item);
    });
    document.getElementById("undo").disabled = !state.taps.length || sending || done;
    submitButton.disabled = sending || done;
    renderCrossings();
  }

  function renderCrossings() {
    crossingList.innerHTML = "";
    if (!crossings.length) {
      var empty = document.createElement("li");
      empty.className = "note";
      empty.textContent = texts.no_crossings;
      crossingList.appendChild(empty);
    }
    crossings.forEach(function (crossing) {
      var item = document.createElement("li");
      var when = crossing.t_ms === null || crossing.t_ms < 0 ? texts.before_start
        : fill(texts.crossing, { t: seconds(crossing.t_ms), sensor: crossing.sensor });
      if (crossing.lap_time_s !== null) { when += " · " + fill(texts.lap_time, { lap_time: crossing.lap_time_s }); }
      item.textContent = when + (crossing.device ? " · " + crossing.device : "");
      crossingList.appendChild(item);
    });
  }

  timerButton.addEventListener("click", function () {
    if (running()) {
      state.stoppedAt = elapsed();
    } else if (state.startLocal === null) {
      state.startLocal = Date.now();
      state.startedAtMs = Math.round(state.startLocal + skewMs);
    } else {
      // Started again after a stop: the run went on meanwhile, so its time counts from the start.
      state.stoppedAt = null;
    }
    save();
    render();
  });

  tapButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      if (!running() || finished()) { return; }
      var key = button.getAttribute("data-key");
      state.taps.push({ event: key, t_ms: Math.round(elapsed()) });
      if (key === "finished") { state.stoppedAt = state.taps[state.taps.length - 1].t_ms; }
      save();
      render();
    });
  });

  document.getElementById("undo").addEventListener("click", function () {
    var undone = state.taps.pop();
    if (undone && undone.event === "finished") { state.stoppedAt = null; }   // a finish tapped by mistake
    save();
    render();
  });

  function language() { return data.lang === "zh" ? "zh" : "en"; }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  submitButton.addEventListener("click", function () {
    if (state.startLocal === null || running()) { show(texts.need_timer); return; }
    if (!captain.value.trim() || !confirmed.checked) { show(texts.need_captain); return; }
    var sheet = {
      base_version: data.version, elapsed_ms: Math.round(elapsed()), taps: state.taps,
      captain_confirmed: true, captain: captain.value.trim(), started_at_ms: state.startedAtMs
    };
    sending = true;
    show(texts.sending, true);
    render();
    fetch(data.submit_url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(sheet)
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      sending = false;
      if (answer.ok) {
        done = true;
        try { window.localStorage.removeItem(storeKey); } catch (ignored) { /* private mode */ }
        var explanation = answer.body.explanation ? answer.body.explanation[language()] : "";
        show(fill(texts.scored, { score: answer.body.score }) + " " + explanation, true);
        render();
        return;
      }
      // Refused (a second tablet was first, or something to correct): the sheet stays.
      var text = answer.body.message ? answer.body.message[language()] : answer.body.error;
      show(text || texts.offline);
      render();
    }).catch(function () {
      sending = false;
      show(texts.offline);
      render();
    });
  });

  function poll() {
    if (done) { return; }
    var url = data.live_url + (state.startedAtMs !== null ? "?started_at_ms=" + state.startedAtMs : "");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (live) {
        if (!live) { return; }
        skewMs = live.server_ms - Date.now();
        crossings = live.crossings || [];
        render();
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  window.setInterval(function () { if (running()) { renderTimer(); } }, 100);
  window.setInterval(poll, 1000);
  poll();
  render();
}());
