// The admin page: the same /admin API and SignalR hub a script would use. The token stays in this tab's
// sessionStorage and goes out only as a bearer header (API) or access_token (WebSocket, which cannot carry headers).
"use strict";

const RS = "\u001e"; // SignalR JSON protocol record separator
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("uploadguard-admin-token") || "";
let hub = null;
let currentJob = null;

function show(text, isError = false) {
  const box = $("message");
  box.textContent = text;
  box.className = isError ? "error" : "";
  box.hidden = false;
}

async function api(method, path, body) {
  const response = await fetch(path, { method, body, headers: { Authorization: `Bearer ${token}` } });
  const type = response.headers.get("content-type") || "";
  const payload = type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const reason = payload && payload.reason ? ` (${payload.reason})` : "";
    const detail = payload && (payload.detail || payload.title) ? payload.detail || payload.title : response.statusText;
    throw new Error(`${response.status}: ${detail}${reason}`);
  }
  return payload;
}

async function loadModels() {
  const models = await api("GET", "/admin/models");
  const body = $("models").querySelector("tbody");
  body.replaceChildren();
  for (const entry of models) {
    const card = entry.card;
    const row = document.createElement("tr");
    row.dataset.version = card.version;
    const cells = [
      card.version,
      card.trained ? "yes" : "no",
      entry.claimedProtection,
      `${card.workingSize} px`,
      card.parameters.toLocaleString(),
      new Date(card.created).toLocaleString(),
    ];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    row.children[2].className = entry.claimAtDefaultEpsilon === "measured" ? "claim" : "claim none";
    const state = document.createElement("td");
    state.textContent = entry.active ? "active" : "";
    state.className = entry.active ? "active" : "";
    if (entry.warning) {
      const warning = document.createElement("div");
      warning.className = "warning";
      warning.textContent = entry.warning;
      state.append(warning);
    }
    row.append(state);
    const action = document.createElement("td");
    if (!entry.active) {
      const button = document.createElement("button");
      button.textContent = "Activate";
      button.addEventListener("click", () => activate(entry));
      action.append(button);
    }
    row.append(action);
    body.append(row);
  }
}

// A card that claims nothing (or only at a larger epsilon than the gateway uses) is activated only when the admin
// confirms it knowing so: its perturbation changes every photo and is not measured to protect them.
function activationWarning(entry) {
  const version = entry.card.version;
  if (entry.claimAtDefaultEpsilon === "none-claimed")
    return `${version}: its model card claims no protection (none claimed). It will perturb every photo, but nothing was measured to protect them. Activate it anyway?`;
  if (entry.claimAtDefaultEpsilon === "below-measured-epsilon")
    return `${version}: its model card claims protection only at epsilon ${entry.card.claim.epsilon} or more; this gateway perturbs at epsilon ${entry.defaultEpsilon} by default, where it claims none. Activate it anyway?`;
  return null;
}

async function activate(entry) {
  const version = entry.card.version;
  const warning = activationWarning(entry);
  if (warning && !window.confirm(warning)) {
    show(`${version} was not activated.`);
    return;
  }
  try {
    await api("POST", `/admin/models/${encodeURIComponent(version)}/activate`);
    show(`${version} is now active.`);
    await loadModels();
  } catch (error) {
    show(`Activation failed: ${error.message}`, true);
  }
}

function showJob(job) {
  currentJob = job;
  $("job").hidden = false;
  $("job-id").textContent = job.id;
  $("job-state").textContent = job.state;
  $("job-step").textContent = job.step;
  $("job-total").textContent = job.totalSteps;
  $("job-speed").textContent = job.imagesPerSecond ? `${job.imagesPerSecond.toFixed(1)} img/s` : "";
  $("job-eta").textContent = job.etaSeconds != null ? `${Math.round(job.etaSeconds)} s` : "-";
  $("job-progress").max = Math.max(1, job.totalSteps);
  $("job-progress").value = job.step;
  const finished = ["succeeded", "failed", "cancelled"].includes(job.state);
  $("cancel").hidden = finished;
  const notes = [];
  if (job.error) notes.push(`Error: ${job.error}`);
  if (job.gate) notes.push(job.gate.passed ? "Gate passed." : `Gate refused: ${job.gate.reasons.join("; ")}.`);
  if (finished && job.state === "succeeded") notes.push(job.activated ? `${job.version} activated.` : `${job.version} saved, not activated.`);
  if (job.skippedNonImages) notes.push(`${job.skippedNonImages} non-image files skipped.`);
  $("job-detail").textContent = notes.join(" ");
  if (finished) loadModels().catch(() => {});
}

function connectHub() {
  if (hub) hub.close();
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/hubs/admin?access_token=${encodeURIComponent(token)}`);
  hub = socket;
  let pinger = null;
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ protocol: "json", version: 1 }) + RS);
    // The server drops clients silent for 30 s.
    pinger = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify({ type: 6 }) + RS), 15000);
  });
  socket.addEventListener("message", (event) => {
    for (const frame of String(event.data).split(RS)) {
      if (!frame) continue;
      const message = JSON.parse(frame);
      if (message.error) {
        $("connection").textContent = `hub refused: ${message.error}`;
      } else if (message.type === undefined) {
        $("connection").textContent = "connected";
      } else if (message.type === 1 && message.target === "training") {
        const job = message.arguments[0];
        if (!currentJob || currentJob.id === job.id) showJob(job);
      }
    }
  });
  socket.addEventListener("close", () => {
    clearInterval(pinger);
    if (hub === socket) {
      $("connection").textContent = "disconnected, retrying";
      setTimeout(connectHub, 2000);
    }
  });
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  token = $("token").value.trim();
  try {
    await loadModels();
    sessionStorage.setItem("uploadguard-admin-token", token);
    connectHub();
    show("Connected.");
  } catch (error) {
    $("connection").textContent = "not connected";
    show(`Cannot connect: ${error.message}`, true);
  }
});

$("retrain").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  if (!form.get("version")) form.delete("version");
  try {
    const job = await api("POST", "/admin/retrain", form);
    show(`Training job ${job.id} started.`);
    showJob(job);
  } catch (error) {
    show(`Training not started: ${error.message}`, true);
  }
});

$("cancel").addEventListener("click", async () => {
  if (!currentJob) return;
  try {
    await api("DELETE", `/admin/retrain/${currentJob.id}`);
    show("Cancelling.");
  } catch (error) {
    show(`Cancel failed: ${error.message}`, true);
  }
});

if (token) {
  $("token").value = token;
  $("login").requestSubmit();
}
