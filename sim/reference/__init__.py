"""The per-agent reference model: every customer a Mesa agent, for checks and benchmarks."""
