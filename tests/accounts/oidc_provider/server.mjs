// A real OpenID Connect provider (panva/oidc-provider) for VIB's single sign-on tests.
// Configured by environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, and AMR (the
// authentication methods the provider asserts, e.g. "pwd" or "pwd,otp").
import Provider from "oidc-provider";

const port = Number(process.env.PORT || 9000);
const issuer = `http://127.0.0.1:${port}`;
const amr = (process.env.AMR || "pwd").split(",").filter(Boolean);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      id_token_signed_response_alg: "RS256",
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "amr"] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  // The dev login form takes any login name; it is the person's e-mail address here.
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: `SSO ${id.split("@")[0]}`, amr };
      },
    };
  },
  async loadExistingGrant(ctx) {
    // Consent is implied for the test client: grant what it asks for.
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
