using Microsoft.Extensions.DependencyInjection;
using Tasks;
using Tasks.Cli;
using Tasks.Migration;

const string Usage = """
    usage:
      tasks migrate --from <alias> --to <alias> [--queue <name>] [--dry-run] [--config <appsettings.json>]
      tasks status [--backend <alias>] [--config <appsettings.json>]
    Reads Tasks:Backends from appsettings.json in the current folder (or --config) and environment variables
    (e.g. Tasks__Backends__old__Type=Hangfire). Stop the source's workers before migrating.
    """;

try
{
    var cli = CliArguments.Parse(args, new HashSet<string> { "dry-run" });
    await using var services = CliHost.Build(cli.Get("config"), Console.Error);
    var migrator = services.GetRequiredService<TaskMigrator>();
    switch (cli.Verb)
    {
        case "migrate":
        {
            cli.OnlyAllow("from", "to", "queue", "dry-run", "config");
            var progress = new ProgressBar(Console.Error, !Console.IsErrorRedirected);
            var summary = await migrator.MigrateAsync(cli.Require("from"), cli.Require("to"), cli.Get("queue"), cli.Has("dry-run"), progress);
            Console.WriteLine(summary.DryRun ? $"dry run: {summary.Found} pending task(s) would move" : $"found {summary.Found}, moved {summary.Moved}, already in target {summary.AlreadyInTarget}, started meanwhile {summary.StartedMeanwhile}, refused {summary.Refused.Count}");
            foreach (var (queue, count) in summary.FoundPerQueue.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"  queue {queue}: {count}");
            }

            foreach (var (id, reason) in summary.Refused)
            {
                Console.WriteLine($"  refused {id}: {reason}");
            }

            return summary.Refused.Count == 0 && summary.StartedMeanwhile == 0 ? 0 : 1;
        }

        case "status":
        {
            cli.OnlyAllow("backend", "config");
            var backends = services.GetRequiredService<ITaskBackendProvider>();
            foreach (var alias in cli.Get("backend") is { } one ? [one] : backends.Aliases.Order(StringComparer.Ordinal).ToArray())
            {
                var backend = backends.Get(alias);
                Console.WriteLine($"{alias} ({backend.GetType().Name}): {backend.Capabilities}");
                if (backend.Capabilities.HasFlag(TaskBackendCapabilities.ListPending))
                {
                    var counts = await migrator.CountPendingAsync(alias);
                    Console.WriteLine(counts.Count == 0 ? "  no pending tasks" : string.Join(Environment.NewLine, counts.Select(c => $"  queue {c.Key}: {c.Value} pending")));
                }
                else
                {
                    Console.WriteLine("  cannot list pending tasks");
                }
            }

            return 0;
        }

        default:
            throw new CliUsageException($"Unknown command '{cli.Verb}'.");
    }
}
catch (CliUsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(Usage);
    return 2;
}
catch (TaskException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 3;
}
