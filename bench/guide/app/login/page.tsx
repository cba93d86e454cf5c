/** Where the proxy sends a visitor without a session (the guide's sign-in form is not measured). */
export default function Login() {
  return (
    <main>
      <h1>Sign in</h1>
    </main>
  );
}
