// A ticket link's secret is in the fragment (#...), which is never sent to a server. Take it
// out of the address bar before anything else, then post it; the answer redirects to the order.
const secret = location.hash.slice(1);
history.replaceState(null, "", location.pathname + location.search);
const form = document.querySelector("form.ticket-link");
if (secret && form && !document.querySelector(".message--error")) {
  const field = document.createElement("input");
  field.type = "hidden";
  field.name = "secret";
  field.value = decodeURIComponent(secret);
  form.append(field);
  form.submit();
}
