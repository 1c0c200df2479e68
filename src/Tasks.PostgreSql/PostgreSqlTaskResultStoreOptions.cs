namespace Tasks.PostgreSql;

/// <summary>Where and how long <see cref="PostgreSqlTaskResultStore"/> keeps results.</summary>
public sealed class PostgreSqlTaskResultStoreOptions
{
    /// <summary>Npgsql connection string (used when no data source is given).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Schema of the results table; created if missing.</summary>
    public string Schema { get; set; } = "tasks";

    /// <summary>Name of the results table; created if missing.</summary>
    public string Table { get; set; } = "task_results";

    /// <summary>How long a finished result is kept before it is deleted (default 7 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Whether the store deletes expired results itself, every few minutes as it writes finished results (default). Turn it
    /// off where another component purges the table, e.g. an adapter that deletes rows of its own with each expired result
    /// (Tasks.Quartz does), and call <see cref="PostgreSqlTaskResultStore.PurgeAsync"/> or purge yourself.
    /// </summary>
    public bool PurgeAutomatically { get; set; } = true;

    /// <summary>Whether to create the schema and table on first use (turn off where DDL is managed by migrations; see <see cref="PostgreSqlTaskResultStore.CreateSchemaSql"/>).</summary>
    public bool CreateSchema { get; set; } = true;
}
