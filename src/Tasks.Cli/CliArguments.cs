namespace Tasks.Cli;

/// <summary>The parsed command line: a verb, <c>--name value</c> options and <c>--flag</c> switches.</summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CliArguments(string verb) => Verb = verb;

    public string Verb { get; }

    /// <summary>Parses <paramref name="args"/>; <paramref name="flagNames"/> are the options that take no value.</summary>
    /// <exception cref="CliUsageException">The words are off.</exception>
    public static CliArguments Parse(string[] args, IReadOnlySet<string> flagNames)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new CliUsageException("Name a command: migrate or status.");
        }

        var parsed = new CliArguments(args[0]);
        for (var i = 1; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CliUsageException($"Unexpected argument '{a}'.");
            }

            var name = a[2..];
            if (flagNames.Contains(name))
            {
                parsed._flags.Add(name);
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                parsed._options[name] = args[++i];
            }
            else
            {
                throw new CliUsageException($"Option --{name} needs a value.");
            }
        }

        return parsed;
    }

    public string? Get(string name) => _options.GetValueOrDefault(name);

    public string Require(string name) => Get(name) ?? throw new CliUsageException($"--{name} is required.");

    public bool Has(string flag) => _flags.Contains(flag);

    /// <summary>Fails on options the command does not know, so a typo is never silently ignored.</summary>
    public void OnlyAllow(params string[] names)
    {
        var unknown = _options.Keys.Concat(_flags).Except(names).ToArray();
        if (unknown.Length > 0)
        {
            throw new CliUsageException($"Unknown option(s) for '{Verb}': {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}
