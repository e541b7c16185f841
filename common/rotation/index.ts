// The rotation's shared vocabulary: its input, the facts its activities report, and its report and status.
export * from './input';
export * from './facts';
export * from './report';
