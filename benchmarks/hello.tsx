import { render, Text } from 'ink';

// The yardstick for start-up: the smallest Ink program, bundled exactly as posture is.
render(<Text>hello, world</Text>);
