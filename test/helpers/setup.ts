// Ink renders only the last frame when it thinks it runs in CI; component tests need every frame.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
delete process.env.NO_COLOR;
