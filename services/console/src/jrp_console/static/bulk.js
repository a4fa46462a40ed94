// Bulk import of list entries (the /entries/bulk page): the file is read in the browser and
// sent in chunks of lines to the console's POST /entries/bulk/chunk (JSON, the CSRF token in
// X-CSRF-Token), which forwards each to trigger's bulk import. The progress bar and the
// per-line results table fill as chunks come back. Without this script the form posts the
// whole file and the page shows the results.
"use strict";
(function () {
  // CSV records, each with the physical line it starts on (a quoted cell may hold line
  // breaks; trigger numbers a record by its first line, the header being line 1).
  function csvRecords(text) {
    const records = [];
    let start = 0, line = 1, startLine = 1, quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '"') quoted = !quoted;
      else if (c === "\n") {
        if (!quoted) {
          records.push({ line: startLine, text: text.slice(start, i).replace(/\r$/, "") });
          start = i + 1;
          startLine = line + 1;
        }
        line++;
      }
    }
    if (start < text.length) records.push({ line: startLine, text: text.slice(start).replace(/\r$/, "") });
    return records;
  }

  function chunksOf(text, format, size) {
    const chunks = [];
    if (format === "csv") {
      const records = csvRecords(text);
      if (!records.length) return { chunks, total: 0 };
      const header = records[0].text;
      const body = records.slice(1);
      for (let i = 0; i < body.length; i += size) {
        const part = body.slice(i, i + size);
        chunks.push({ first_line: part[0].line, count: part.length,
          text: [header].concat(part.map((r) => r.text)).join("\n") + "\n" });
      }
      return { chunks, total: body.length };
    }
    const lines = text.split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    for (let i = 0; i < lines.length; i += size) {
      const part = lines.slice(i, i + size);
      chunks.push({ first_line: i + 1, count: part.length, text: part.join("\n") + "\n" });
    }
    return { chunks, total: lines.length };
  }

  function cell(row, text, header) {
    const td = document.createElement(header ? "th" : "td");
    if (header) td.scope = "row";
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function setup(root) {
    const form = root.querySelector("form[data-bulk]");
    if (!form || !window.fetch || !window.Blob || !Blob.prototype.text) return;
    const progress = root.getElementById("bulk-progress");
    const tbody = root.querySelector("#bulk-results tbody");
    const summary = root.getElementById("bulk-summary");
    const error = root.getElementById("bulk-error");
    const size = Math.max(1, parseInt(form.dataset.chunkLines, 10) || 200);
    const accepted = summary.dataset.acceptedText, refused = summary.dataset.refusedText;

    form.addEventListener("submit", async (event) => {
      const file = form.elements.file.files[0];
      if (!file) return;
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      tbody.textContent = "";
      error.textContent = "";
      error.className = "";
      progress.value = 0;
      const format = /\.csv$/i.test(file.name) || file.type === "text/csv" ? "csv" : "ndjson";
      const text = (await file.text()).replace(/^\ufeff/, "");
      const { chunks, total } = chunksOf(text, format, size);
      let done = 0, ok = 0, bad = 0;
      try {
        for (const chunk of chunks) {
          const response = await fetch(form.dataset.chunkUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": form.elements.csrf.value },
            body: JSON.stringify({ format, first_line: chunk.first_line, text: chunk.text }),
          });
          // A session that ended answers with the sign-in page (a redirect), not JSON.
          if (response.redirected) throw new Error(summary.dataset.expiredText);
          const answer = await response.json().catch(() => null);
          if (!response.ok || answer === null) {
            throw new Error((answer && (answer.message || answer.error)) || "HTTP " + response.status);
          }
          for (const r of answer.results || []) {
            const row = document.createElement("tr");
            row.dataset.line = r.line;
            row.dataset.accepted = r.accepted ? "true" : "false";
            row.dataset.status = r.status;
            cell(row, String(r.line), true);
            cell(row, r.record_id || "");
            cell(row, r.accepted ? accepted : refused);
            const last = cell(row, "");
            if (r.entry_id) {
              const link = document.createElement("a");
              link.href = "/entries/" + encodeURIComponent(r.entry_id);
              link.textContent = r.entry_id;
              last.appendChild(link);
            } else {
              last.textContent = (r.reasons || []).join("; ");
            }
            tbody.appendChild(row);
            if (r.accepted) ok++; else bad++;
          }
          if (answer.error) throw new Error(answer.error);
          done += chunk.count;
          progress.value = total ? Math.round((done / total) * 100) : 100;
          progress.textContent = progress.value + "%";
          summary.textContent = accepted + " " + ok + " · " + refused + " " + bad;
        }
        progress.value = 100;
        summary.textContent = summary.dataset.doneText + " " + accepted + " " + ok + " · " + refused + " " + bad;
      } catch (failure) {
        error.className = "flash error";
        error.textContent = summary.dataset.failedText + " " + failure.message;
      } finally {
        button.disabled = false;
      }
    });
  }

  window.jrpConsole = window.jrpConsole || { setups: [] };
  window.jrpConsole.setups.push(setup);
})();
