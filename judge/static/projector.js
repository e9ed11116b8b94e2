/* The projector page's live updates.
 *
 * Follows the round's event stream (EventSource reconnects by itself, each time the server
 * ends a stream and after a network blip) and redraws the standings from each event, which
 * always carries the whole state, never a change to apply. Shows whether the screen is
 * live. When events cannot get through (a proxy that buffers them, the server refusing the
 * stream), it polls the same state as JSON every few seconds, and tries events again a
 * minute later. Rows whose place changed are highlighted for a few seconds.
 *
 * Every text comes from the page, in its language; team names are set as text, never HTML.
 */
(function () {
  "use strict";

  var MAX_FAILURES = 4;                   // errors with no successful open between them: give up on events
  var RECONNECT_GRACE_MS = 3000;          // a stream ending on schedule reconnects at once: only a longer gap shows
  var POLL_MS = 3000;
  var POLL_BEFORE_RETRYING_EVENTS_MS = 60000;
  var WATCHDOG_SLACK_MS = 15000;          // a dead network can leave a stream open and silent forever
  var HIGHLIGHT_MS = 8000;

  var body = document.body;
  var lang = body.dataset.lang;
  var eventsUrl = body.dataset.eventsUrl;
  var stateUrl = body.dataset.stateUrl;
  var streamMs = parseFloat(body.dataset.streamSeconds) * 1000 || 25000;
  var texts = JSON.parse(document.getElementById("projector-texts").textContent);
  var connection = document.getElementById("connection");
  var banner = document.getElementById("banner");
  var table = document.getElementById("standings");
  var tbody = table.querySelector("tbody");
  var empty = document.getElementById("empty");
  var updated = document.getElementById("updated");
  var adminNote = document.querySelector(".admin-note");

  var source = null;
  var failures = 0;
  var graceTimer = null;
  var watchdogTimer = null;
  var pollTimer = null;
  var pollingSince = 0;
  var fadeTimer = null;
  var previousRanks = null;               // team -> rank (null: not revealed yet) in the last state drawn
  var highlights = new Map();             // team -> {css, label, until}

  function fill(text, name, value) {
    return text.split("{" + name + "}").join(String(value));
  }

  function setStatus(name) {
    connection.className = "status " + name;
    connection.textContent = texts["status_" + name];
  }

  // --- drawing ---------------------------------------------------------------------------

  function cell(className, text) {
    var td = document.createElement("td");
    td.className = className;
    td.textContent = text;
    return td;
  }

  function span(className, text) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function noteMove(row, revealing, now) {
    if (previousRanks === null || row.rank === null) {
      return;
    }
    if (!previousRanks.has(row.team)) {
      highlights.set(row.team, {css: "new-entry", label: texts.new_entry, until: now + HIGHLIGHT_MS});
      return;
    }
    var before = previousRanks.get(row.team);
    if (before === null) {
      // Its place has just been shown: by the round's unfreeze (during the reveal the
      // server marks the one team just revealed, and only that one stands out).
      if (!revealing) {
        highlights.set(row.team, {css: "just-revealed", label: "", until: now + HIGHLIGHT_MS});
      }
    } else if (revealing) {
      return;                              // places move during the reveal by design, not news
    } else if (row.rank < before) {
      highlights.set(row.team, {css: "moved-up", label: "▲ " + fill(texts.moved_up, "places", before - row.rank),
                                until: now + HIGHLIGHT_MS});
    } else if (row.rank > before) {
      highlights.set(row.team, {css: "moved-down", label: "▼ " + fill(texts.moved_down, "places", row.rank - before),
                                until: now + HIGHLIGHT_MS});
    }
  }

  function rowElement(row, now) {
    var tr = document.createElement("tr");
    tr.dataset.team = row.team;
    if (row.rank !== null) {
      tr.classList.add("rank-" + row.rank);
    }
    if (row.revealed === false) {
      tr.classList.add("waiting");
    }
    if (row.just_revealed) {
      tr.classList.add("just-revealed");
    }
    var team = document.createElement("td");
    team.className = "team";
    team.appendChild(span("name", row.team));
    if (row.school) {
      team.appendChild(span("school", row.school));
    }
    if (row.tie_break && row.tie_break.explanation) {
      team.appendChild(span("tie", row.tie_break.explanation[lang] || ""));
    }
    if (row.revealed === false) {
      team.appendChild(span("waiting-note", row.score === null ? texts.no_score_at_freeze : texts.not_revealed));
    }
    var move = cell("move", "");
    var mark = highlights.get(row.team);
    if (mark && mark.until > now && row.revealed !== false) {     // a team still to come gives nothing away
      tr.classList.add(mark.css);
      move.textContent = mark.label;
    }
    tr.append(cell("rank", row.rank === null ? "?" : row.rank), team,
              cell("score", row.score === null ? "—" : row.score),
              cell("time", row.time_s === null || row.time_s === undefined ? "—" : row.time_s.toFixed(2)),
              cell("runs", row.runs === null ? "—" : row.runs), move);
    return tr;
  }

  function render(state, fading) {
    var now = Date.now();
    state.rows.forEach(function (row) { noteMove(row, Boolean(state.reveal), now); });
    highlights.forEach(function (mark, team) {
      if (mark.until <= now) {
        highlights.delete(team);
      }
    });
    tbody.replaceChildren.apply(tbody, state.rows.map(function (row) { return rowElement(row, now); }));
    table.hidden = state.rows.length === 0;
    empty.hidden = state.rows.length !== 0;
    table.style.setProperty("--rows", Math.max(state.rows.length, 8));
    banner.textContent = state.notice ? state.notice[lang] : "";
    if (adminNote) {
      adminNote.hidden = !state.frozen;
    }
    previousRanks = new Map(state.rows.map(function (row) { return [row.team, row.rank]; }));
    if (!fading) {
      updated.textContent = fill(texts.updated, "time", new Date().toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB"));
    }
    // A highlight fades when its time is up, even if no new state comes to redraw the rows.
    clearTimeout(fadeTimer);
    if (highlights.size) {
      fadeTimer = setTimeout(function () { render(state, true); }, HIGHLIGHT_MS + 100);
    }
  }

  // --- events, and polling when they cannot get through ---------------------------------------

  function feedWatchdog() {
    clearTimeout(watchdogTimer);
    watchdogTimer = setTimeout(function () {
      closeSource();
      setStatus("reconnecting");
      connect();
    }, streamMs + WATCHDOG_SLACK_MS);
  }

  function closeSource() {
    if (source) {
      source.close();
      source = null;
    }
    clearTimeout(graceTimer);
    clearTimeout(watchdogTimer);
  }

  function connect() {
    clearTimeout(pollTimer);
    if (!("EventSource" in window)) {
      startPolling();
      return;
    }
    source = new EventSource(eventsUrl);
    source.onopen = function () {
      failures = 0;
      clearTimeout(graceTimer);
      setStatus("live");
      feedWatchdog();
    };
    source.onmessage = function (event) {
      failures = 0;
      setStatus("live");
      feedWatchdog();
      render(JSON.parse(event.data));
    };
    source.onerror = function () {
      failures += 1;
      // CLOSED: the server refused the stream (an error status), and the browser will not retry.
      if (source.readyState === EventSource.CLOSED || failures >= MAX_FAILURES) {
        closeSource();
        startPolling();
        return;
      }
      clearTimeout(graceTimer);
      graceTimer = setTimeout(function () {
        if (source && source.readyState !== EventSource.OPEN) {
          setStatus("reconnecting");
        }
      }, RECONNECT_GRACE_MS);
    };
    feedWatchdog();
  }

  function startPolling() {
    failures = 0;
    pollingSince = Date.now();
    poll();
  }

  function poll() {
    fetch(stateUrl, {cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        render(state);
        setStatus("polling");
      })
      .catch(function () {
        setStatus("offline");
      })
      .then(function () {
        if ("EventSource" in window && Date.now() - pollingSince >= POLL_BEFORE_RETRYING_EVENTS_MS) {
          connect();
        } else {
          pollTimer = setTimeout(poll, POLL_MS);
        }
      });
  }

  render(JSON.parse(document.getElementById("projector-state").textContent));
  connect();
}());
