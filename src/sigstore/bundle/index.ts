export { type ArtifactInput, type BundleVerification, verifySigstoreBundle } from './verify.js';
