// After django-otp-webauthn registered a passkey, go where the button says (no inline script:
// the CSP allows only files from this site). The package dispatches the event on the button.
document.addEventListener("otp_webauthn.register_complete", (event) => {
  const url = event.target instanceof HTMLElement ? event.target.dataset.successUrl : "";
  if (url) {
    window.location.assign(url);
  }
});
