// The page, built from web/dashboard/ by scripts/build.mjs into the function's bundle (one file, nothing read at run time).
declare module 'fcdb:dashboard-page' {
  const page: { html: string; script: string; style: string };
  export default page;
}
