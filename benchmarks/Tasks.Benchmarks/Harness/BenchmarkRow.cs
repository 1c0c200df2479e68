namespace Tasks.Benchmarks.Harness;

/// <summary>
/// One backend of the table: the work through Tasks and the same work through the engine's own API, measured in
/// interleaved pairs. Add a row: derive from this in <c>Rows/</c> and list it in <c>Rows/BenchmarkRows.cs</c>.
/// </summary>
public abstract class BenchmarkRow
{
    /// <summary>Unique, short (matched by <c>--filter</c>, passed to worker processes).</summary>
    public abstract string Name { get; }

    /// <summary>Engine and version as the table shows it, e.g. "Redis 7 (StackExchange.Redis 2.13)".</summary>
    public abstract string Engine { get; }

    /// <summary>Servers the row needs; a missing one fails the row with a message naming <c>scripts/servers.sh start</c>.</summary>
    public virtual IReadOnlyList<BenchmarkServer> Servers => [];

    /// <summary>Sizes of each measurement; override for slower engines (fewer tasks; the table states N).</summary>
    public virtual BenchmarkSizes Sizes(BenchmarkMode mode) => BenchmarkSizes.Default(mode);

    /// <summary>The Tasks half, usually a <see cref="TasksSide"/>; <see langword="null"/> while the adapter does not exist yet (the row then shows "pending").</summary>
    public abstract IBenchmarkSide? CreateTasksSide(SideContext context);

    /// <summary>The engine's own API doing the same work.</summary>
    public abstract IBenchmarkSide CreateNativeSide(SideContext context);

    /// <summary>
    /// Reference figures measured once per run after the pairs (e.g. a server's own benchmark tool as a ceiling); each
    /// line becomes a note of the row. A reference that cannot be measured throws, and the row fails saying why.
    /// </summary>
    public virtual Task<IReadOnlyList<string>> MeasureReferencesAsync(SideContext context, BenchmarkSizes sizes, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>The side of <paramref name="kind"/>.</summary>
    public IBenchmarkSide? CreateSide(SideKind kind, SideContext context) =>
        kind == SideKind.Tasks ? CreateTasksSide(context) : CreateNativeSide(context);
}
