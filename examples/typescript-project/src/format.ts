/** Formats a report line. */

export function formatLine(name:string,value:number) : string {
    return `${name}: ${value.toFixed( 2 )}`
}
