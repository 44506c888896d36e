// A ticket link's secret is in the fragment (#...), which is never sent to a server. Take it
// out of the address bar before anything else, then post it; the answer redirects to the order.
// Without one (a mail program that cut the link, a reload), the page asks for it instead.
const form = document.querySelector("form.ticket-link");
const opening = document.getElementById("opening");
let secret = "";
try {
  secret = decodeURIComponent(location.hash.slice(1)).trim();
} catch {
  secret = "";
}
history.replaceState(null, "", location.pathname + location.search);
if (opening && secret) {
  const field = document.createElement("input");
  field.type = "hidden";
  field.name = "secret";
  field.value = secret;
  form.append(field);
  form.submit();
} else if (opening) {
  opening.remove();
  form.hidden = false;
}
