// Fixed order of a rotation: drag a row to move a hand; the position inputs are renumbered from
// the rows' order. The inputs alone work without a mouse (and without this script).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const body = document.querySelector("tbody[data-reorder]");
  if (!body) return;
  let dragged = null;

  const renumber = () => {
    body.querySelectorAll("tr").forEach((row, index) => {
      const input = row.querySelector("input.position-input");
      if (input) input.value = String(index + 1);
    });
  };

  body.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("tr");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "");
    dragged.classList.add("dragging");
  });
  body.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const over = event.target.closest("tr");
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    body.insertBefore(dragged, after ? over.nextSibling : over);
  });
  body.addEventListener("drop", (event) => {
    event.preventDefault();
    renumber();
  });
  body.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    renumber();
  });
});
