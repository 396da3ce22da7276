/** js-md4 ships no types; NTLM's NT hash is MD4, which Node 20's OpenSSL 3 no longer provides. */
declare module "js-md4" {
  interface Md4 {
    (message: string | ArrayBuffer | Uint8Array): string;
    arrayBuffer(message: string | ArrayBuffer | Uint8Array): ArrayBuffer;
  }
  const md4: Md4;
  export default md4;
}
