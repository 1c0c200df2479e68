using System.Text.RegularExpressions;
using Npgsql;
using Tasks.PostgreSql;

namespace Tasks.Quartz;

/// <summary>
/// The Quartz tables on PostgreSQL. The DDL is the script the Quartz package itself embeds for its
/// <c>SchemaProvisioning.CreateIfMissing</c> mode (so it always matches the referenced Quartz version), with the table
/// prefix filled in. Every statement is <c>CREATE ... IF NOT EXISTS</c>: running it again changes nothing.
/// </summary>
public static partial class QuartzSchema
{
    private const string ResourceName = "Quartz.Impl.AdoJobStore.Schema.create_postgres.sql";
    private const string Separator = "--;;";

    /// <summary>The complete DDL for <paramref name="tablePrefix"/>, for applications whose DBA runs the schema by hand.</summary>
    /// <exception cref="TaskConfigurationException">The prefix is not a valid (optionally schema-qualified) identifier prefix.</exception>
    public static string GetCreateScript(string tablePrefix = QuartzTaskBackendOptions.DefaultTablePrefix)
    {
        ValidatePrefix(tablePrefix);
        var schema = SchemaOf(tablePrefix);
        var body = Template().Replace("{0}", tablePrefix, StringComparison.Ordinal).Replace("{1}", tablePrefix[(tablePrefix.IndexOf('.') + 1)..], StringComparison.Ordinal);
        return schema is null ? body : $"CREATE SCHEMA IF NOT EXISTS {schema};\n{Separator}\n{body}";
    }

    /// <summary>
    /// Creates whatever Quartz table is missing, holding a PostgreSQL advisory lock so that processes starting together
    /// do not race; returns the number of statements run.
    /// </summary>
    public static async Task<int> EnsureCreatedAsync(NpgsqlDataSource dataSource, string tablePrefix = QuartzTaskBackendOptions.DefaultTablePrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var statements = Statements(GetCreateScript(tablePrefix));
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext(@name))", conn))
        {
            lockCmd.Parameters.Add(new NpgsqlParameter<string>("name", "tasks.quartz.schema:" + tablePrefix));
            await lockCmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            foreach (var sql in statements)
            {
                // The results store may be creating the same schema under its own lock.
                await PostgreSqlConcurrentDdl.RunAsync(
                    async ct =>
                    {
                        await using var cmd = new NpgsqlCommand(sql, conn);
                        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext(@name))", conn);
            unlock.Parameters.Add(new NpgsqlParameter<string>("name", "tasks.quartz.schema:" + tablePrefix));
            await unlock.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return statements.Count;
    }

    /// <summary>Checks a table prefix: letters, digits and '_', optionally after a schema name and a dot.</summary>
    /// <exception cref="TaskConfigurationException">It is not.</exception>
    public static void ValidatePrefix(string tablePrefix)
    {
        if (string.IsNullOrEmpty(tablePrefix) || !PrefixPattern().IsMatch(tablePrefix))
        {
            throw new TaskConfigurationException($"Quartz table prefix '{tablePrefix}' is invalid: use letters, digits and '_' (e.g. 'qrtz_' or 'quartz.qrtz_').");
        }
    }

    private static string? SchemaOf(string prefix) => prefix.IndexOf('.') is var dot and > 0 ? prefix[..dot] : null;

    /// <summary>Splits on lines reading exactly <c>--;;</c> (the separator can appear inside a comment), dropping comment lines.</summary>
    private static List<string> Statements(string script)
    {
        var statements = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (var raw in script.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Trim() == Separator)
            {
                Flush();
            }
            else if (!line.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                current.Append(line).Append('\n');
            }
        }

        Flush();
        return statements;

        void Flush()
        {
            var sql = current.ToString().Trim();
            if (sql.Length > 0)
            {
                statements.Add(sql);
            }

            current.Clear();
        }
    }

    private static string Template()
    {
        using var stream = typeof(global::Quartz.IJob).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new TaskConfigurationException($"The Quartz package no longer embeds '{ResourceName}'; create the schema with Quartz's database/tables/tables_postgres.sql instead.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex("^([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,40}$")]
    private static partial Regex PrefixPattern();
}
