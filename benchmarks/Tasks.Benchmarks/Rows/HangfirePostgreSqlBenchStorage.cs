using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Tasks.Benchmarks.Harness;
using Tasks.Hangfire;

namespace Tasks.Benchmarks.Rows;

/// <summary>
/// Hangfire.PostgreSql in a schema of its own per run, with the settings <see cref="HangfireTaskBackend"/> uses by
/// default (queue poll 1 s, sliding invisibility timeout, no long polling).
/// </summary>
public sealed class HangfirePostgreSqlBenchStorage(SideContext context) : HangfireBenchStorage
{
    private readonly string _schema = HangfireBenchSchema.Name(context, "native");

    /// <inheritdoc />
    public override string Name => "Hangfire.PostgreSql";

    /// <inheritdoc />
    public override async Task<JobStorage> CreateAsync(CancellationToken cancellationToken)
    {
        await BenchPostgres.RequireAsync(context, cancellationToken).ConfigureAwait(false);
        var defaults = new HangfireTaskBackendOptions();
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = _schema,
            QueuePollInterval = defaults.QueuePollInterval,
            InvisibilityTimeout = defaults.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
            EnableLongPolling = defaults.EnableLongPolling,
            PrepareSchemaIfNecessary = true, // installs the schema here, before any timed call
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(context.Servers.RequirePostgres(), options), options);
    }

    /// <inheritdoc />
    public override Task ResetAsync(CancellationToken cancellationToken) => HangfireBenchSchema.TruncateAsync(context, _schema, cancellationToken);

    /// <inheritdoc />
    public override Task DropAsync(CancellationToken cancellationToken) => BenchPostgres.DropSchemaAsync(context, _schema, cancellationToken);
}
