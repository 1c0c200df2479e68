using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// THE REGISTRATION POINT: every row of the table, in table order. To add a backend, write an <c>XxxRow</c> class in
/// this folder (see <see cref="RedisRow"/> for a server-backed one) and add one line below. The harness, its worker
/// processes, the CI quick-mode test and the outputs all take their rows from here.
/// </summary>
public static class BenchmarkRows
{
    /// <summary>New instances of every row.</summary>
    public static IReadOnlyList<BenchmarkRow> All() =>
    [
        new InMemoryRow(),
        new RedisRow(),
        new HangfireRedisRow(),
        new HangfireRow(),
        new HangfireRow(captureCulture: true),
        new QuartzRow(),
        new MassTransitRow(),

        // Add rows here, one line each, e.g.:
    ];

    /// <summary>The row named <paramref name="name"/> (case-insensitive), or <see langword="null"/>.</summary>
    public static BenchmarkRow? Find(string name) =>
        All().FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
}
