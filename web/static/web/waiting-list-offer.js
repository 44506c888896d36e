// A waiting list offer's secret is in the link's fragment (#...), which is never sent to a
// server: take it out of the address bar first, then post it (the answer opens the checkout,
// or asks to confirm passing the seats on). Without one, the page asks for it instead.
const form = document.querySelector("form.offer-link");
const opening = document.getElementById("opening");
let secret = "";
try {
  secret = decodeURIComponent(location.hash.slice(1)).trim();
} catch {
  secret = "";
}
history.replaceState(null, "", location.pathname + location.search);
if (opening && secret) {
  form.querySelector("#secret").value = secret;
  form.submit();
} else if (opening) {
  opening.remove();
  form.hidden = false;
}
