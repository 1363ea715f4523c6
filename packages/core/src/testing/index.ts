export {
  type ConformanceFixture,
  type ConformanceOptions,
  collectPages,
  describeProviderConformance,
} from './conformance.js';
