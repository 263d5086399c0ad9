/** The dealer-site demo (/demo/dealer-site): a dealer's home page with the widget in two placements. */
const actionStatus = document.getElementById("action-status");
document.addEventListener("pitwall-action", (e) => {
  const d = (e as CustomEvent<{ kind: string }>).detail;
  if (actionStatus)
    actionStatus.textContent = `The dealer's own page for this offer (${d.kind.replace(/_/g, " ")}) would open here.`;
});
export {};
