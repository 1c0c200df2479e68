namespace Tasks.Hangfire;

/// <summary>
/// How Tasks queues and priorities map onto Hangfire queues. Hangfire has no per-job priority, so each Tasks queue
/// becomes five Hangfire queues, one per priority band, named <c>&lt;prefix&gt;p&lt;band&gt;_&lt;queue&gt;</c>. Workers list
/// band 1 first, and Hangfire.PostgreSql serves queue names in ascending order, so a backlog runs band by band,
/// FIFO within a band (by Hangfire job id). Queue names map 1:1 and are never renamed: a name Hangfire cannot hold is refused.
/// </summary>
public static class HangfireQueueNames
{
    /// <summary>Number of priority bands.</summary>
    public const int BandCount = 5;

    /// <summary>
    /// The band of <paramref name="priority"/>: 1 = 51..100, 2 = 1..50, 3 = 0 (the default), 4 = -50..-1, 5 = -100..-51.
    /// Lower bands run first; within a band tasks run in enqueue order whatever their exact priority.
    /// </summary>
    public static int GetBand(int priority) => priority switch
    {
        > 50 => 1,
        > 0 => 2,
        0 => 3,
        >= -50 => 4,
        _ => 5,
    };

    /// <summary>The Hangfire queue of Tasks queue <paramref name="queue"/> in <paramref name="band"/>, e.g. <c>tasks_p3_default</c>.</summary>
    public static string ToHangfireQueue(string prefix, string queue, int band) => $"{prefix}p{band}_{queue}";

    /// <summary>The Hangfire queue of a task on <paramref name="queue"/> with <paramref name="priority"/>.</summary>
    public static string ToHangfireQueue(string prefix, string queue, int priority, bool byPriority) =>
        ToHangfireQueue(prefix, queue, byPriority ? GetBand(priority) : GetBand(TaskPriority.Default));

    /// <summary>Reads a Hangfire queue name back: the Tasks queue and band of <c>&lt;prefix&gt;p&lt;band&gt;_&lt;queue&gt;</c>; false for any other name.</summary>
    internal static bool TryParse(string prefix, string? hangfireQueue, out string queue, out int band)
    {
        queue = string.Empty;
        band = 0;
        var rest = prefix.Length + 3;
        if (hangfireQueue is null || hangfireQueue.Length <= rest || !hangfireQueue.StartsWith(prefix, StringComparison.Ordinal) ||
            hangfireQueue[prefix.Length] != 'p' || hangfireQueue[prefix.Length + 2] != '_' ||
            hangfireQueue[prefix.Length + 1] is < '1' or > (char)('0' + BandCount))
        {
            return false;
        }

        band = hangfireQueue[prefix.Length + 1] - '0';
        queue = hangfireQueue[rest..];
        return true;
    }

    /// <summary>The Hangfire queues a worker of <paramref name="queues"/> listens to, highest band first (every queue's band 1, then band 2, ...).</summary>
    public static string[] ListenOrder(string prefix, IEnumerable<string> queues)
    {
        var list = queues.Distinct(StringComparer.Ordinal).ToArray();
        var result = new string[list.Length * BandCount];
        var i = 0;
        for (var band = 1; band <= BandCount; band++)
        {
            foreach (var q in list)
            {
                result[i++] = ToHangfireQueue(prefix, q, band);
            }
        }

        return result;
    }

    /// <summary>
    /// Checks that Tasks queue <paramref name="queue"/> can live on Hangfire, which accepts only lowercase letters,
    /// digits, '_' and '-' (Tasks also allows uppercase letters and '.').
    /// </summary>
    /// <exception cref="InvalidTaskException">The name is invalid, or has an uppercase letter or '.'; <see cref="InvalidTaskException.Option"/> is <c>Queue</c>.</exception>
    public static void Validate(string queue, string backend)
    {
        TaskValidation.ValidateQueueName(queue, backend);
        foreach (var c in queue)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
            {
                throw new InvalidTaskException(
                    $"Queue name '{queue}' cannot be used on Hangfire backend '{backend}': Hangfire queue names allow only lowercase letters, digits, '_' and '-', and '{c}' is not one. " +
                    $"Use a name like '{Suggest(queue)}' in the task and worker settings (Tasks never renames queues silently, because two names could then share one Hangfire queue).",
                    "Queue",
                    backend);
            }
        }
    }

    /// <summary>Checks a <see cref="HangfireTaskBackendOptions.QueuePrefix"/>: lowercase letters, digits, '_' or '-', at most 50 characters.</summary>
    /// <exception cref="TaskConfigurationException">It has another character or is too long.</exception>
    public static void ValidatePrefix(string prefix, string backend)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 50 || !prefix.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
        {
            throw new TaskConfigurationException($"QueuePrefix '{prefix}' of Hangfire backend '{backend}' is invalid: use at most 50 lowercase letters, digits, '_' or '-'.");
        }
    }

    private static string Suggest(string queue) =>
        new(queue.Select(c => c == '.' ? '_' : char.ToLowerInvariant(c)).ToArray());
}
