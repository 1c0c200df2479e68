namespace Tasks.Benchmarks.Harness;

/// <summary>What a side needs to know; the same values in the harness and in its worker processes.</summary>
/// <param name="RunId">Unique per harness run (lower-case letters, digits and '-'): prefix every key, queue or schema with it so runs never collide and a reset can delete exactly this run's state.</param>
/// <param name="Servers">Server addresses.</param>
/// <param name="Concurrency">How many tasks a worker runs at once; both sides of a row get the same value.</param>
/// <param name="Mode">Quick or full.</param>
/// <param name="InWorkerProcess">Whether this is the worker process (which runs the consumer) rather than the harness.</param>
public sealed record SideContext(string RunId, BenchmarkServers Servers, int Concurrency, BenchmarkMode Mode, bool InWorkerProcess);
