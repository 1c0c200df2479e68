using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Tasks.Benchmarks.Harness;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// The ceiling of the Redis rows: <c>redis-benchmark</c> (Redis' own tool, in Debian's redis-tools, which redis-server
/// depends on) pushing to a list of this run on the same server: one client one command at a time (what an awaited
/// enqueue can reach at best), one client pipelined (what a bulk enqueue can reach at best), and 50 clients (what
/// the server takes from many callers).
/// </summary>
public static class RedisBenchmarkCeiling
{
    /// <summary>Runs the three measurements and returns one note each; the key is deleted afterwards.</summary>
    /// <exception cref="BenchmarkSetupException"><c>redis-benchmark</c> is missing or fails.</exception>
    public static async Task<IReadOnlyList<string>> MeasureAsync(SideContext context, BenchmarkSizes sizes, CancellationToken cancellationToken)
    {
        var (host, port) = HostAndPort(context.Servers.RequireRedis());
        var key = context.RunId + ":ceiling";

        // The value a raw list push of the Redis row carries: a send timestamp.
        var value = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);
        try
        {
            var single = await RunAsync(host, port, sizes.EnqueueSingleCount, clients: 1, pipeline: 1, key, value, cancellationToken).ConfigureAwait(false);
            var piped = await RunAsync(host, port, sizes.EnqueueBulkCount, clients: 1, pipeline: sizes.BulkBatchSize, key, value, cancellationToken).ConfigureAwait(false);
            var many = await RunAsync(host, port, sizes.EnqueueBulkCount, clients: 50, pipeline: 1, key, value, cancellationToken).ConfigureAwait(false);
            return
            [
                $"ceiling, redis-benchmark LPUSH on the same server: 1 client one at a time {Rate(single)} (compare Enqueue 1-by-1)",
                $"ceiling, redis-benchmark LPUSH: 1 client pipelined {sizes.BulkBatchSize:N0} deep {Rate(piped)} (compare Enqueue bulk)",
                $"ceiling, redis-benchmark LPUSH: 50 clients one at a time {Rate(many)}",
            ];
        }
        finally
        {
            await RedisConnections.DeleteByPrefixAsync(context.Servers, key, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The shortest run whose rate is trusted. redis-benchmark times in whole milliseconds, so a short run (quick mode's
    /// 1,000 pipelined pushes take well under one) reports "inf" or a rate off by a large factor.
    /// </summary>
    private static readonly TimeSpan MinimumRun = TimeSpan.FromMilliseconds(200);

    private const int MaximumRequests = 10_000_000;

    private static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture) + " pushes/s";

    private static (string Host, string Port) HostAndPort(string address)
    {
        // TASKS_TEST_REDIS is a StackExchange.Redis configuration string: its first part is host:port.
        var endpoint = address.Split(',')[0].Trim();
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 ? (endpoint[..colon], endpoint[(colon + 1)..]) : (endpoint, "6379");
    }

    private static async Task<double> RunAsync(string host, string port, int requests, int clients, int pipeline, string key, string value, CancellationToken cancellationToken)
    {
        // Starts at the row's own size and grows the count until the run is long enough to time.
        while (true)
        {
            var rps = await RunOnceAsync(host, port, requests, clients, pipeline, key, value, cancellationToken).ConfigureAwait(false);
            if ((double.IsFinite(rps) && requests / rps >= MinimumRun.TotalSeconds) || requests >= MaximumRequests)
            {
                if (!double.IsFinite(rps))
                {
                    throw new BenchmarkSetupException($"redis-benchmark reported an infinite rate for {requests:N0} pushes");
                }

                return rps;
            }

            var wanted = double.IsFinite(rps) ? rps * MinimumRun.TotalSeconds * 1.5 : requests * 10.0;
            requests = (int)Math.Min(MaximumRequests, Math.Max(requests * 2.0, wanted));
        }
    }

    private static async Task<double> RunOnceAsync(string host, string port, int requests, int clients, int pipeline, string key, string value, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("redis-benchmark")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-h", host, "-p", port, "-n", requests.ToString(CultureInfo.InvariantCulture), "-c", clients.ToString(CultureInfo.InvariantCulture), "-P", pipeline.ToString(CultureInfo.InvariantCulture), "--csv", "LPUSH", key, value })
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new BenchmarkSetupException("redis-benchmark did not start");
        }
        catch (Win32Exception ex)
        {
            throw new BenchmarkSetupException($"redis-benchmark is not on PATH ({ex.Message}); it comes with redis-server (apt-get install redis-tools). {BenchmarkServers.StartHint}", ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);

            // CSV: a header line, then "<command>","<requests per second>",...
            var line = (await output.ConfigureAwait(false)).Split('\n').FirstOrDefault(l => l.StartsWith("\"LPUSH", StringComparison.Ordinal));
            var fields = line?.Split(',');
            var rate = fields is { Length: > 1 } ? fields[1].Trim('"') : null;

            // "inf": the whole run took less than redis-benchmark's one-millisecond clock tick.
            if (process.ExitCode == 0 && string.Equals(rate, "inf", StringComparison.OrdinalIgnoreCase))
            {
                return double.PositiveInfinity;
            }

            if (process.ExitCode != 0 || !double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var rps))
            {
                throw new BenchmarkSetupException($"redis-benchmark failed (exit {process.ExitCode}): {(await error.ConfigureAwait(false)).Trim()} {line}");
            }

            return rps;
        }
    }
}
