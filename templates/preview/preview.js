// docgen preview: keeps the open page current. The server announces saved files (server-sent events);
// the page fetches the documents it shows that use them and puts the new text in place, without a reload.
"use strict";
(() => {
  const panel = document.getElementById("masalah");
  const checking = document.getElementById("memeriksa");
  const documents = [...document.querySelectorAll(".dokumen[data-doc]")];
  const errors = {};        // document → the problem found when it was last assembled
  let library = [];         // the lines of `docgen check`, which cover every document once it has run

  function showProblems() {
    const found = checking.hidden ? [] : Object.values(errors).filter(Boolean);
    const lines = [...new Set([...found, ...library])];
    panel.hidden = lines.length === 0;
    panel.querySelector("ul").replaceChildren(...lines.map((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      return item;
    }));
  }

  // Every Pasal: its clause id and file:line on hover, linked to the clause's source.
  function trace(element, clauses) {
    for (const section of element.querySelectorAll(".lembar section.pasal[id]")) {
      const clause = clauses[section.id];
      if (!clause) continue;
      const link = document.createElement("a");
      link.className = "jejak";
      link.href = "/clause/" + encodeURIComponent(section.id);
      link.target = "_blank";
      link.textContent = `${clause.path}:${clause.line} · ${section.id}`;
      section.title = `${clause.path}:${clause.line} (${section.id})`;
      section.prepend(link);
    }
  }

  async function refresh(element) {
    const response = await fetch("/api/doc/" + element.dataset.doc, { cache: "no-store" });
    if (!response.ok) return;
    const data = await response.json();
    errors[element.dataset.doc] = data.error;
    if (data.body !== null && !data.error) {
      const sheet = element.querySelector(".lembar");
      const before = new Map([...sheet.querySelectorAll("section.pasal[id]")].map((s) => [s.id, s.textContent]));
      sheet.innerHTML = data.body;
      trace(element, data.trace);
      for (const section of sheet.querySelectorAll("section.pasal[id]")) {
        const old = before.get(section.id);
        if (old !== undefined && old !== section.textContent) section.classList.add("berubah");
      }
      element.dataset.updated = String(Date.now());
    }
    showProblems();
  }

  // Side by side: hovering a Pasal marks the same clause in every other version.
  document.addEventListener("mouseover", (event) => {
    const section = event.target.closest && event.target.closest("section.pasal[id]");
    for (const marked of document.querySelectorAll("section.pasal.sorot")) marked.classList.remove("sorot");
    if (section && documents.length > 1) {
      for (const same of document.querySelectorAll(`section.pasal[id="${CSS.escape(section.id)}"]`)) {
        same.classList.add("sorot");
      }
    }
  });

  for (const element of documents) trace(element, JSON.parse(element.dataset.trace || "{}"));
  library = [...panel.querySelectorAll("li")].map((item) => item.textContent);

  const events = new EventSource("/events");
  // The browser reconnects by itself after the server was restarted; what changed meanwhile is fetched.
  let lost = false;
  events.addEventListener("error", () => { lost = true; });
  events.addEventListener("open", () => {
    if (lost) documents.forEach(refresh);
    lost = false;
  });
  events.addEventListener("changed", (event) => {
    const data = JSON.parse(event.data);
    if (data.reload) { window.location.reload(); return; }
    for (const element of documents) {
      if (data.documents.includes(element.dataset.doc)) refresh(element);
    }
  });
  events.addEventListener("problems", (event) => {
    const data = JSON.parse(event.data);
    library = data.problems;
    checking.hidden = !data.checking;
    showProblems();
  });
})();
