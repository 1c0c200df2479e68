using Tasks.Migration;

namespace Tasks.Cli;

/// <summary>A one-line progress bar on standard error when it is a terminal, else a line every 10%.</summary>
internal sealed class ProgressBar(TextWriter output, bool interactive) : IProgress<TaskMigrationProgress>
{
    private int _lastTenth = -1;

    public void Report(TaskMigrationProgress value)
    {
        var fraction = value.Total == 0 ? 1 : (double)value.Seen / value.Total;
        if (interactive)
        {
            var filled = (int)(fraction * 30);
            output.Write($"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {value.Seen}/{value.Total} seen, {value.Moved} moved ");
            if (value.Seen >= value.Total)
            {
                output.WriteLine();
            }

            return;
        }

        var tenth = (int)(fraction * 10);
        if (tenth != _lastTenth)
        {
            _lastTenth = tenth;
            output.WriteLine($"{tenth * 10,3}% {value.Seen}/{value.Total} seen, {value.Moved} moved");
        }
    }
}
