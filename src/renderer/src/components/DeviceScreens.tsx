/** A drawing of what the Ledger shows, screen by screen, so the user can compare. */
export function DeviceScreens({ screens, waiting = false }: { screens: string[]; waiting?: boolean }) {
  return (
    <div className={`device ${waiting ? 'waiting' : ''}`} data-testid="device-screens">
      <div className="device-body">
        {screens.map((s, i) => (
          <div key={i} className={`device-screen ${i === 0 ? 'title' : ''}`}>
            {s}
          </div>
        ))}
      </div>
      <div className="device-buttons" aria-hidden>
        <span />
        <span />
      </div>
    </div>
  );
}
